package uk.co.lchat.egress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

import uk.co.lchat.egress.EgressInfo.RecordedFile;
import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.media.control.TrackInfo;
import uk.co.lchat.room.RoomProtocol;
import uk.co.lchat.room.RoomProtocol.Outcome;
import uk.co.lchat.room.RoomProtocol.RecorderEvent;
import uk.co.lchat.room.RoomProtocol.RecorderStop;
import uk.co.lchat.room.RoomProtocol.RecorderTracks;
import uk.co.lchat.room.RoomProtocol.ServerAnswer;
import uk.co.lchat.room.RoomProtocol.ServerReply;

/**
 * One per-track recording of one room: asks the room to be its recorder, then keeps one {@link TrackRecorder}
 * (FFmpeg) per track the room has, each fed by a plain-RTP sink on this node's router. It ends when the room or the
 * API stops it, when the room ends, or when an FFmpeg dies by itself; then every file is finalised and reported.
 * Lifecycle as behaviours: {@link #joining}, {@link #recording}, {@link #finishing}; handlers keep the current one
 * with {@code Behaviors.same()} (returning {@code this} would go back to {@link #createReceive}, that is joining).
 */
final class RoomRecording extends AbstractBehavior<RoomRecording.Msg> {
  sealed interface Msg {}

  private record FromRoom(RecorderEvent event) implements Msg {}

  private record Answer(ServerAnswer answer) implements Msg {}

  private record Exited(String trackId, int code) implements Msg {}

  /** Local: time to see whether a track's FFmpeg listens on its port yet. */
  private record Listen(String trackId) implements Msg {}

  /** The outcome of a start: the egress, or why not. */
  record Started(EgressInfo info, Outcome outcome, String message) {}

  private final EgressSettings settings;
  private final String egressId;
  private final String roomId;
  private final RecipientRef<RoomProtocol.Command> room;
  private final ActorRef<MediaRouterProtocol.Command> router;
  private final Consumer<EgressInfo> registry;
  private final EgressEvents events;
  private final CompletableFuture<Started> started;
  private final Path directory;
  private final long startedAt = System.currentTimeMillis();
  private final Map<String, TrackRecorder> recorders = new LinkedHashMap<>();
  private final Map<String, String> names = new LinkedHashMap<>();
  private final List<TrackRecorder> finished = new ArrayList<>();
  private String endReason;

  static Behavior<Msg> create(EgressSettings settings, String egressId, String roomId, String by,
                              RecipientRef<RoomProtocol.Command> room,
                              ActorRef<MediaRouterProtocol.Command> router, Consumer<EgressInfo> registry,
                              EgressEvents events, CompletableFuture<Started> started) {
    return Behaviors.setup(ctx -> new RoomRecording(ctx, settings, egressId, roomId, by, room, router, registry,
        events, started));
  }

  private RoomRecording(ActorContext<Msg> ctx, EgressSettings settings, String egressId, String roomId, String by,
                        RecipientRef<RoomProtocol.Command> room, ActorRef<MediaRouterProtocol.Command> router,
                        Consumer<EgressInfo> registry, EgressEvents events, CompletableFuture<Started> started) {
    super(ctx);
    this.settings = settings;
    this.egressId = egressId;
    this.roomId = roomId;
    this.room = room;
    this.router = router;
    this.registry = registry;
    this.events = events;
    this.started = started;
    this.directory = settings.storage().resolve(safe(roomId)).resolve(egressId);
    registry.accept(info("starting", null, List.of()));
    room.tell(new RoomProtocol.StartRecording(by, egressId,
        ctx.messageAdapter(RecorderEvent.class, FromRoom::new), ctx.messageAdapter(ServerAnswer.class, Answer::new)));
  }

  @Override
  public Receive<Msg> createReceive() {
    return joining();
  }

  /** Waiting for the room's answer. */
  private Receive<Msg> joining() {
    return newReceiveBuilder()
        .onMessage(Answer.class, this::onAnswer)
        .onMessage(FromRoom.class, this::onRoom)
        .build();
  }

  private Behavior<Msg> onAnswer(Answer a) {
    ServerReply reply = a.answer() instanceof ServerReply r ? r : new ServerReply(Outcome.INVALID, "unexpected");
    if (reply.outcome() != Outcome.DONE) {
      EgressInfo refused = info("ended", "refused", List.of());
      registry.accept(refused);
      started.complete(new Started(refused, reply.outcome(), reply.message()));
      return Behaviors.stopped();
    }
    EgressInfo active = info("active", null, List.of());
    registry.accept(active);
    events.started(active);
    started.complete(new Started(active, Outcome.DONE, null));
    getContext().getLog().info("egress {}: recording room {} into {}", egressId, roomId, directory);
    return recording();
  }

  private Receive<Msg> recording() {
    return newReceiveBuilder()
        .onMessage(FromRoom.class, this::onRoom)
        .onMessage(Exited.class, this::onExited)
        .onMessage(Listen.class, this::onListen)
        .build();
  }

  private Behavior<Msg> onRoom(FromRoom m) {
    if (m.event() instanceof RecorderTracks t) {
      names.putAll(t.displayNames());
      follow(t.tracks());
      return Behaviors.same();
    }
    RecorderStop stop = (RecorderStop) m.event();
    return finish(stop.reason());
  }

  /** Starts a recorder for each new track and stops those of tracks that are gone. */
  private void follow(List<TrackInfo> tracks) {
    Set<String> now = new HashSet<>();
    for (TrackInfo t : tracks) {
      now.add(t.trackId());
      if (recorders.containsKey(t.trackId()) || !recordable(t)) {
        continue;
      }
      Path file = directory.resolve(safe(names.getOrDefault(t.participantId(), "participant")) + "-"
          + safe(t.participantId()) + "-" + t.kind() + "-" + safe(t.trackId()) + ".webm");
      try {
        TrackRecorder r = TrackRecorder.start(settings, t, file);
        recorders.put(t.trackId(), r);
        getContext().pipeToSelf(r.exit(), (code, error) -> new Exited(t.trackId(), code == null ? -1 : code));
        getContext().getSelf().tell(new Listen(t.trackId()));
      } catch (IOException e) {
        getContext().getLog().warn("egress {}: could not start FFmpeg for track {}: {}", egressId, t.trackId(),
            e.getMessage());
      }
    }
    for (TrackRecorder r : new ArrayList<>(recorders.values())) {
      if (!now.contains(r.track.trackId())) {
        close(r);
      }
    }
  }

  /** Copied without transcoding into WebM: Opus and VP8 (VP9 too); anything else is not recorded per track. */
  private static boolean recordable(TrackInfo t) {
    String c = t.codec().toUpperCase(Locale.ROOT);
    return c.equals("OPUS") || c.equals("VP8") || c.equals("VP9");
  }

  private void close(TrackRecorder r) {
    router.tell(new MediaRouterProtocol.StopRecordTrack(sinkId(r.track)));
    r.stop(settings.stopTimeout());
  }

  /**
   * The router's sink starts once FFmpeg listens (before, the kernel would drop what it sends, and the file would
   * start later than the recording); the subscription asks the publisher for a keyframe, so the video starts with
   * a picture. An FFmpeg that does not listen within {@code start-timeout} has failed.
   */
  private Behavior<Msg> onListen(Listen m) {
    TrackRecorder r = recorders.get(m.trackId());
    if (r == null) {
      return Behaviors.same();
    }
    if (r.listening()) {
      router.tell(new MediaRouterProtocol.RecordTrack(roomId, sinkId(r.track), r.track, TrackSdp.payloadType(r.track),
          r.port));
    } else if (System.currentTimeMillis() - r.startedAtMillis() > settings.startTimeout().toMillis()) {
      getContext().getLog().warn("egress {}: FFmpeg for track {} did not listen within {}", egressId, m.trackId(),
          settings.startTimeout());
      r.stop(settings.stopTimeout()); // its exit ends the egress as a failed encoder's does
      r.failed();
    } else {
      getContext().scheduleOnce(java.time.Duration.ofMillis(20), getContext().getSelf(), m);
    }
    return Behaviors.same();
  }

  private Behavior<Msg> onExited(Exited m) {
    TrackRecorder r = recorders.remove(m.trackId());
    if (r == null) {
      return Behaviors.same();
    }
    finished.add(r);
    if (!r.stopping() || r.hasFailed()) {
      // FFmpeg died by itself: the egress ends (the room is told), every other file is finalised.
      getContext().getLog().warn("egress {}: FFmpeg for track {} exited with {}", egressId, m.trackId(), m.code());
      router.tell(new MediaRouterProtocol.StopRecordTrack(sinkId(r.track)));
      room.tell(new RoomProtocol.RecordingEnded(egressId, "encoder_failed"));
      return finish("encoder_failed");
    }
    return Behaviors.same();
  }

  /** Stops every recorder and waits for each FFmpeg to finalise its file. */
  private Behavior<Msg> finish(String reason) {
    endReason = reason;
    if (!started.isDone()) {
      EgressInfo ended = info("ended", reason, List.of());
      started.complete(new Started(ended, Outcome.NO_ROOM, "The room ended."));
    }
    recorders.values().forEach(this::close);
    return finishing();
  }

  private Behavior<Msg> finishing() {
    if (recorders.isEmpty()) {
      return report();
    }
    return newReceiveBuilder()
        .onMessage(Exited.class, m -> {
          TrackRecorder r = recorders.remove(m.trackId());
          if (r != null) {
            finished.add(r);
          }
          return recorders.isEmpty() ? report() : Behaviors.same();
        })
        .onMessage(FromRoom.class, m -> Behaviors.same())
        .onMessage(Answer.class, m -> Behaviors.same())
        .onMessage(Listen.class, m -> Behaviors.same())
        .build();
  }

  /** Every file is final: probe them (off the actor's thread), then register and announce the end. */
  private Behavior<Msg> report() {
    List<TrackRecorder> done = List.copyOf(finished);
    String reason = endReason;
    CompletableFuture.runAsync(() -> {
      List<RecordedFile> files = new ArrayList<>();
      for (TrackRecorder r : done) {
        files.add(describe(r));
      }
      EgressInfo ended = info("ended", reason, files);
      registry.accept(ended);
      events.ended(ended);
    });
    getContext().getLog().info("egress {}: ended ({}), {} files", egressId, reason, done.size());
    return Behaviors.stopped();
  }

  private RecordedFile describe(TrackRecorder r) {
    String name = settings.storage().relativize(r.file).toString();
    long bytes = 0;
    Probe probe = new Probe(-1, List.of());
    try {
      bytes = Files.exists(r.file) ? Files.size(r.file) : 0;
      if (bytes > 0) {
        probe = Probe.of(settings.ffprobe(), r.file);
      }
    } catch (IOException e) {
      // reported as an empty file
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String codec = probe.codecs().isEmpty() ? r.track.codec().toLowerCase(Locale.ROOT) : probe.codecs().get(0);
    return new RecordedFile(name, r.track.participantId(), names.get(r.track.participantId()), r.track.kind(), codec,
        bytes, probe.durationSeconds(), r.listeningSinceMillis(), r.stoppedAtMillis());
  }

  private EgressInfo info(String status, String reason, List<RecordedFile> files) {
    return new EgressInfo(egressId, roomId, "track", status, reason, startedAt,
        status.equals("ended") ? System.currentTimeMillis() : 0, files);
  }

  private String sinkId(TrackInfo t) {
    return "egress/" + egressId + "/" + t.trackId();
  }

  /** A name safe as one path segment. */
  static String safe(String s) {
    String cleaned = s.replaceAll("[^A-Za-z0-9._-]", "_");
    return cleaned.isEmpty() || cleaned.startsWith(".") ? "_" + cleaned : cleaned;
  }
}
