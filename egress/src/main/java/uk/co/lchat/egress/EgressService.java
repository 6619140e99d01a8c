package uk.co.lchat.egress;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.RecipientRef;

import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.room.RoomProtocol;
import uk.co.lchat.room.RoomProtocol.Outcome;
import uk.co.lchat.room.WebhookSender;

/**
 * The node's egresses: starts a {@link RoomRecording} on this node's router for a room (wherever the room lives)
 * and keeps each egress's status for the server API. Off unless {@code lchat.egress.enabled}.
 */
public final class EgressService {
  /** The outcome of a start request: the egress, or why not ({@code outcome} not DONE, with a message). */
  public record StartResult(EgressInfo info, Outcome outcome, String message) {}

  private final EgressSettings settings;
  private final ActorSystem<?> system;
  private final ActorRef<MediaRouterProtocol.Command> router;
  private final EgressEvents events;
  private final Map<String, EgressInfo> egresses = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();

  public EgressService(EgressSettings settings, ActorSystem<?> system, ActorRef<MediaRouterProtocol.Command> router,
                       WebhookSender webhooks) {
    this.settings = settings;
    this.system = system;
    this.router = router;
    this.events = EgressEvents.webhooks(webhooks);
  }

  public EgressSettings settings() {
    return settings;
  }

  /**
   * Starts recording {@code roomId} ({@code room}: its sharded entity) as {@code request} says. {@code by}: the
   * participant id of the moderator who asked, or null for the server API.
   */
  public CompletionStage<StartResult> start(EgressRequest request, String roomId,
                                            RecipientRef<RoomProtocol.Command> room, String by) {
    if (!settings.enabled()) {
      return CompletableFuture.completedFuture(new StartResult(null, Outcome.INVALID,
          "Recording is not enabled on this deployment (lchat.egress.enabled)."));
    }
    String id = "EG_" + HexFormat.of().formatHex(bytes());
    CompletableFuture<RoomRecording.Started> started = new CompletableFuture<>();
    system.systemActorOf(RoomRecording.create(settings, request, id, roomId, by, room, router,
        info -> egresses.put(info.egressId(), info), events, started), "egress-" + id, Props.empty());
    return started.thenApply(s -> new StartResult(s.info(), s.outcome(), s.message()));
  }

  private byte[] bytes() {
    byte[] b = new byte[8];
    random.nextBytes(b);
    return b;
  }

  /** An egress started on this node (running or ended). */
  public Optional<EgressInfo> get(String egressId) {
    return Optional.ofNullable(egresses.get(egressId));
  }
}
