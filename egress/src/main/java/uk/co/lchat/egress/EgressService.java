package uk.co.lchat.egress;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.RecipientRef;

import uk.co.lchat.egress.EgressProtocol.Started;
import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.room.RoomProtocol;
import uk.co.lchat.room.RoomProtocol.Outcome;
import uk.co.lchat.room.WebhookSender;

/**
 * The node's egresses: starts a {@link RoomRecording} on this node's router for a room (wherever the room lives)
 * and keeps each egress's status for the server API. Off unless {@code lchat.egress.enabled}.
 */
public final class EgressService {
  private final EgressSettings settings;
  private final ActorSystem<?> system;
  private final ActorRef<MediaRouterProtocol.Command> router;
  private final EgressEvents events;
  /** The egresses started on this node since it booted (running or ended). */
  private final Map<String, EgressInfo> egresses = new ConcurrentHashMap<>();
  private final Recordings recordings;
  /** The recording actors still running, and what completes when each has ended (for a shutdown to wait on). */
  private final Map<String, ActorRef<RoomRecording.Msg>> running = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<EgressInfo>> endings = new ConcurrentHashMap<>();
  private final EgressCounters counters;
  private final FreeSpace freeSpace;
  private final SecureRandom random = new SecureRandom();
  /** What each running egress records, for another node to continue it when this one drains. */
  private final Map<String, EgressRequest> requests = new ConcurrentHashMap<>();
  private volatile boolean draining;

  public EgressService(EgressSettings settings, ActorSystem<?> system, ActorRef<MediaRouterProtocol.Command> router,
                       WebhookSender webhooks) {
    this.settings = settings;
    this.system = system;
    this.router = router;
    this.events = EgressEvents.webhooks(webhooks);
    this.counters = EgressCounters.get(system);
    this.freeSpace = FreeSpace.of(settings);
    this.recordings = new Recordings(settings.storage(), settings.retention());
    if (settings.enabled() && !settings.retention().isZero()) {
      system.scheduler().scheduleWithFixedDelay(java.time.Duration.ZERO, java.time.Duration.ofHours(1), () -> {
        int deleted = recordings.expire(System.currentTimeMillis());
        if (deleted > 0) {
          system.log().info("egress: deleted {} recordings older than {}", deleted, settings.retention());
        }
      }, system.executionContext());
    }
  }

  /**
   * Ends every recording running here with {@code reason} (the node is leaving) and completes once each has
   * finalised and indexed its files, or after the stop timeout twice over: a node that goes away leaves playable
   * files, never half-written ones.
   */
  public CompletionStage<Void> stopAll(String reason) {
    List<CompletableFuture<EgressInfo>> waiting = new java.util.ArrayList<>(endings.values());
    running.values().forEach(r -> r.tell(new RoomRecording.Shutdown(reason)));
    return CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new))
        .completeOnTimeout(null, 2 * settings.stopTimeout().toMillis() + 10_000,
            java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** How many egresses are starting or running here. */
  public int running() {
    return running.size();
  }

  /** Whether this node is leaving: it takes no new egress, and its running ones move (see {@link #moving}). */
  public boolean draining() {
    return draining;
  }

  /** Why this node cannot take an egress now, or null if it can. */
  public String refusal() {
    return !settings.enabled() ? "Recording is not enabled on this node (lchat.egress.enabled)." : freeSpace.refusal();
  }

  /**
   * The node drains: from now on it takes no egress, and returns what each running one was asked to record, by
   * its egress id and room, so that another node can continue it ({@code start} with {@code replaces}).
   */
  public List<Moving> drain() {
    draining = true;
    List<Moving> moving = new java.util.ArrayList<>();
    for (String id : running.keySet()) {
      EgressInfo info = egresses.get(id);
      EgressRequest request = requests.get(id);
      if (info != null && request != null && info.status().equals("active")) {
        moving.add(new Moving(id, info.roomId(), request));
      }
    }
    return moving;
  }

  /** What completes when the egress {@code egressId} has ended here (at once if it is not running here). */
  public CompletableFuture<EgressInfo> ending(String egressId) {
    return endings.getOrDefault(egressId, CompletableFuture.completedFuture(null));
  }

  /** A running egress that a draining node hands to another. */
  public record Moving(String egressId, String roomId, EgressRequest request) {}

  /** What egresses this node ran: counts by type and outcome, bytes written. */
  public EgressCounters counters() {
    return counters;
  }

  /** The finished recordings on this node's storage. */
  public Recordings recordings() {
    return recordings;
  }

  /** Every recording: those running here and those finished on disk, newest first ({@code roomId} null: all). */
  public java.util.List<EgressInfo> list(String roomId) {
    java.util.List<EgressInfo> all = new java.util.ArrayList<>();
    for (EgressInfo i : egresses.values()) {
      if (!i.status().equals("ended") && (roomId == null || i.roomId().equals(roomId))) {
        all.add(i);
      }
    }
    all.addAll(recordings.list(roomId));
    all.sort(java.util.Comparator.comparingLong(EgressInfo::startedAtMillis).reversed());
    return all;
  }

  /** A running egress's status changed, or one ended: an ended one is indexed on disk with its files. */
  private void update(EgressInfo info) {
    EgressInfo before = egresses.put(info.egressId(), info);
    if (info.status().equals("active") && (before == null || !before.status().equals("active"))) {
      counters.started(info.type());
    }
    if (info.status().equals("ended") && (before == null || !before.status().equals("ended"))) {
      // Only one that was active counts as running: one refused, or ended before it ran, never was.
      counters.ended(info, before != null && before.status().equals("active"));
      running.remove(info.egressId());
      requests.remove(info.egressId());
      CompletableFuture<EgressInfo> ending = endings.remove(info.egressId());
      if (ending != null) {
        ending.complete(info);
      }
      if (!info.files().isEmpty()) {
        try {
          recordings.save(info);
        } catch (java.io.IOException e) {
          system.log().warn("egress {}: could not write its index: {}", info.egressId(), e.getMessage());
        }
      }
    }
  }

  public EgressSettings settings() {
    return settings;
  }

  /**
   * Starts recording {@code roomId} ({@code room}: its sharded entity) here as {@code request} says. {@code by}:
   * the participant id of the moderator who asked, or null for the server API; {@code replaces}: null, or the
   * egress (on a draining node) that this one continues in the room without a gap.
   */
  public CompletionStage<Started> start(EgressRequest request, String roomId, RecipientRef<RoomProtocol.Command> room,
                                        String by, String replaces) {
    String refused = draining ? "This node is leaving the cluster and takes no new recording." : refusal();
    if (refused != null) {
      return CompletableFuture.completedFuture(new Started(null, Outcome.INVALID, refused));
    }
    String id = "EG_" + HexFormat.of().formatHex(bytes());
    CompletableFuture<Started> started = new CompletableFuture<>();
    endings.put(id, new CompletableFuture<>());
    running.put(id, system.systemActorOf(RoomRecording.create(settings, request, id, roomId, by, replaces, room,
        router, this::update, events, started), "egress-" + id, Props.empty()));
    requests.put(id, request);
    return started;
  }

  private byte[] bytes() {
    byte[] b = new byte[8];
    random.nextBytes(b);
    return b;
  }

  /**
   * A file of an egress's HLS stream: its playlist or one of its segments, by name (nothing else is ever served),
   * if it is on this node's storage.
   */
  public Optional<java.nio.file.Path> hlsFile(String egressId, String name) {
    if (!name.equals(uk.co.lchat.egress.composite.Outputs.HLS_PLAYLIST) && !name.matches("seg[0-9]{5}\\.ts")) {
      return Optional.empty();
    }
    return get(egressId).filter(EgressInfo::hls)
        .map(info -> Recordings.directory(settings.storage(), info.roomId(), info.egressId())
            .resolve(CompositeFile.HLS).resolve(name))
        .filter(java.nio.file.Files::isRegularFile);
  }

  /** An egress started on this node (running or ended), or one finished on disk. */
  public Optional<EgressInfo> get(String egressId) {
    EgressInfo here = egresses.get(egressId);
    return here != null ? Optional.of(here) : recordings.find(egressId);
  }
}
