package uk.co.lchat.node.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.pekko.actor.ActorSelection;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.node.LchatNode;
import uk.co.lchat.node.TestNodes;
import uk.co.lchat.node.WsClient;

/**
 * When a participant's media moves, the router it left may have sent an offer just before it heard of the move.
 * The client would answer it, and the answer would go to the new router, which would take it for the answer to its
 * own offer: the session passes on only the offers of the router the media is on now.
 */
class OffersAfterAMoveIT {
  @Test
  void anOfferOfARouterTheMediaHasLeftNeverReachesTheClientWhileItsRoutersOffersDo() throws Exception {
    try (LchatNode node = TestNodes.single(); WsClient ann = new WsClient(node.httpPort())) {
      ann.join("offers-after-a-move", "Ann"); // her media is on this node's router now
      ActorRef<MediaRouterProtocol.Command> leftBehind = node.system().systemActorOf(
          Behaviors.<MediaRouterProtocol.Command>ignore(), "router-left-behind", Props.empty());
      // The node's only signaling session is Ann's; messages from this one sender arrive in the order sent.
      ActorSelection session = Adapter.toClassic(node.system()).actorSelection("/system/session-*");
      session.tell(new MediaRouterProtocol.SubscribeOffer(leftBehind, "v=0 of the router left behind", false),
          org.apache.pekko.actor.ActorRef.noSender());
      session.tell(new MediaRouterProtocol.SubscribeOffer(node.router(), "v=0 of her router", true),
          org.apache.pekko.actor.ActorRef.noSender());
      JsonNode offer = ann.next("subscribeOffer");
      assertEquals("v=0 of her router", offer.get("sdp").asText());
      assertEquals(true, offer.get("fresh").asBoolean());
    }
  }
}
