package uk.co.lchat.media.control;

import java.util.List;

import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;

import uk.co.lchat.media.control.MediaRouterProtocol.Command;
import uk.co.lchat.media.control.MediaRouterProtocol.Drain;
import uk.co.lchat.media.control.MediaRouterProtocol.MoveMedia;
import uk.co.lchat.media.control.MediaRouterProtocol.Shed;

/**
 * Who must take their media off this router: everyone once the node drains (if the drain asks them to move, rather
 * than waiting for them to leave), or a chosen few when the autoscaler rebalances. A participant is only asked
 * ({@link MoveMedia}); its session moves it, as a browser's would after an ICE failure. Owned by the router actor.
 */
final class Departures {
  private final ActorRef<Command> self;
  private final Members members;
  private final Logger log;
  private boolean draining;
  private boolean moveOnDrain;

  Departures(ActorRef<Command> self, Members members, Logger log) {
    this.self = self;
    this.members = members;
    this.log = log;
  }

  boolean draining() {
    return draining;
  }

  /** The node leaves: from now on nobody new should stay here. */
  void drain(Drain m) {
    draining = true;
    moveOnDrain = m.moveParticipants();
    log.info("media router draining ({} participants{})", members.size(),
        moveOnDrain ? ", moving them to other nodes" : ", waiting for them to leave");
    if (moveOnDrain) {
      for (Member member : members.all()) {
        member.client.tell(new MoveMedia(self));
      }
    }
  }

  /** A participant attached (or resumed) here; on a node that moves everyone away it is asked to move at once. */
  void attached(ActorRef<MediaRouterProtocol.MediaEvent> client) {
    if (draining && moveOnDrain) {
      client.tell(new MoveMedia(self));
    }
  }

  /** Rebalancing: asks up to {@code m.count()} participants to move to {@code m.to()} and answers how many. */
  void shed(Shed m) {
    if (draining || m.to().equals(self)) {
      m.replyTo().tell(0); // a draining router's participants all move anyway, and never to itself
      return;
    }
    List<String> moving = ShedChoice.choose(members.byRoom(), m.count());
    log.info("media router sheds load: moving {} of {} participants to {}", moving.size(), members.size(), m.to());
    for (String id : moving) {
      members.get(id).client.tell(new MoveMedia(self, m.to()));
    }
    m.replyTo().tell(moving.size());
  }
}
