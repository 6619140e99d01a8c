package uk.co.lchat.egress;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
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
import uk.co.lchat.egress.EgressProtocol.Started;
import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.media.control.TrackInfo;
import uk.co.lchat.room.RoomProtocol;
import uk.co.lchat.room.RoomProtocol.Outcome;
import uk.co.lchat.room.RoomProtocol.RecorderEvent;
import uk.co.lchat.room.RoomProtocol.RecorderStop;
import uk.co.lchat.room.RoomProtocol.RecorderPresentation;
import uk.co.lchat.room.RoomProtocol.RecorderTracks;
import uk.co.lchat.room.RoomProtocol.ServerAnswer;
import uk.co.lchat.room.RoomProtocol.ServerReply;

/**
 * One recording of one room: asks the room to be its recorder, then keeps one {@link TrackRecorder} (FFmpeg) per
 * track the room has, each fed by a plain-RTP sink on this node's router, and what its {@link RecordingOutput}
 * makes of them (a file per track, or one composite). It ends when the room or the API stops it, when the room
 * ends, when an FFmpeg dies by itself, or when the storage falls below its minimum free space ({@link FreeSpace},
 * checked every second); then every file is finalised and reported.
 * Lifecycle as behaviours: {@link #joining}, {@link #recording}, {@link #finishing}; handlers keep the current one
 * with {@code Behaviors.same()} (returning {@code this} would go back to {@link #createReceive}, that is joining).
 */
final class RoomRecording extends AbstractBehavior<RoomRecording.Msg> {
  sealed interface Msg {}

  private record FromRoom(RecorderEvent event) implements Msg {}

  private record Answer(ServerAnswer answer) implements Msg {}

  private record Exited(String trackId, int code) implements Msg {}

  /** The node is going away (drain, scale-in, SIGTERM): finalise every file now, with {@code reason}. */
  record Shutdown(String reason) implements Msg {}

  /** What runs beside the tracks' FFmpegs (the composite's encoder) exited. */
  private record OutputExited(int code) implements Msg {}

  /** Local: time to see whether a track's FFmpeg listens on its port yet. */
  private record Listen(String trackId) implements Msg {}

  /** Local: time to see whether the storage still has its minimum free space. */
  private record CheckSpace() implements Msg {}

  private final EgressSettings settings;
  private final String egressId;
  private final String roomId;
  private final RecipientRef<RoomProtocol.Command> room;
  private final ActorRef<MediaRouterProtocol.Command> router;
  private final Consumer<EgressInfo> registry;
  private final EgressEvents events;
  private final CompletableFuture<Started> started;
  private final Path directory;
  private final EgressRequest request;
  private final RecordingOutput output;
  private final FreeSpace space;
  private boolean outputRunning;
  private final long startedAt = System.currentTimeMillis();
  private final Map<String, TrackRecorder> recorders = new LinkedHashMap<>();
  private final Map<String, String> names = new LinkedHashMap<>();
  private final List<TrackRecorder> finished = new ArrayList<>();
  /** The room's tracks as last listed. */
  private final Map<String, TrackInfo> present = new LinkedHashMap<>();
  /** Tracks the output does not take (per track: codecs that cannot be copied into WebM). */
  private final Set<String> ignored = new HashSet<>();
  private String endReason;
  /** The egress this one continues (its node drains), or null; told the room once every track is recorded. */
  private final String replaces;
  private boolean liveTold;
  /** Tracks whose recorder the router feeds now. */
  private final Set<String> wired = new HashSet<>();

  /** {@code replaces}: null, or the egress this one continues in the room (its node drains). */
  static Behavior<Msg> create(EgressSettings settings, EgressRequest request, String egressId, String roomId,
                              String by, String replaces, RecipientRef<RoomProtocol.Command> room,
                              ActorRef<MediaRouterProtocol.Command> router, Consumer<EgressInfo> registry,
                              EgressEvents events, CompletableFuture<Started> started) {
    return Behaviors.setup(ctx -> new RoomRecording(ctx, settings, request, egressId, roomId, by, replaces, room,
        router, registry, events, started));
  }

  private RoomRecording(ActorContext<Msg> ctx, EgressSettings settings, EgressRequest request, String egressId,
                        String roomId, String by, String replaces, RecipientRef<RoomProtocol.Command> room,
                        ActorRef<MediaRouterProtocol.Command> router, Consumer<EgressInfo> registry,
                        EgressEvents events, CompletableFuture<Started> started) {
    super(ctx);
    this.settings = settings;
    this.egressId = egressId;
    this.roomId = roomId;
    this.room = room;
    this.router = router;
    this.registry = registry;
    this.events = events;
    this.started = started;
    this.directory = Recordings.directory(settings.storage(), roomId, egressId);
    this.request = request;
    this.replaces = replaces;
    this.output = request.composite()
        ? new CompositeFile(settings, directory, request, EgressCounters.get(ctx.getSystem()).frames())
        : new TrackFiles(settings, directory);
    this.space = FreeSpace.of(settings);
    registry.accept(info("starting", null, List.of()));
    room.tell(new RoomProtocol.StartRecording(by, egressId,
        ctx.messageAdapter(RecorderEvent.class, FromRoom::new), ctx.messageAdapter(ServerAnswer.class, Answer::new),
        replaces, request.features()));
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
        .onMessage(Shutdown.class, this::onShutdown)
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
    try {
      output.begin();
      outputRunning = output.exit() != null;
      if (outputRunning) {
        getContext().pipeToSelf(output.exit(), (code, error) -> new OutputExited(code == null ? -1 : code));
      }
    } catch (IOException e) {
      getContext().getLog().warn("egress {}: could not start the encoder: {}", egressId, e.getMessage());
      room.tell(new RoomProtocol.RecordingEnded(egressId, "encoder_failed"));
      EgressInfo failed = info("ended", "encoder_failed", List.of());
      registry.accept(failed);
      started.complete(new Started(failed, Outcome.INVALID, "The encoder did not start: " + e.getMessage()));
      return Behaviors.stopped();
    }
    EgressInfo active = info("active", null, List.of());
    registry.accept(active);
    events.started(active);
    started.complete(new Started(active, Outcome.DONE, null));
    getContext().getLog().info("egress {}: recording room {} into {}", egressId, roomId, directory);
    if (output.writes()) {
      getContext().scheduleOnce(FreeSpace.CHECK_INTERVAL, getContext().getSelf(), new CheckSpace());
    }
    return recording();
  }

  private Receive<Msg> recording() {
    return newReceiveBuilder()
        .onMessage(FromRoom.class, this::onRoom)
        .onMessage(Exited.class, this::onExited)
        .onMessage(OutputExited.class, this::onOutputExited)
        .onMessage(Listen.class, this::onListen)
        .onMessage(CheckSpace.class, this::onCheckSpace)
        .onMessage(Shutdown.class, this::onShutdown)
        .build();
  }

  private Behavior<Msg> onRoom(FromRoom m) {
    if (m.event() instanceof RecorderTracks t) {
      names.putAll(t.displayNames());
      follow(t.tracks());
      return Behaviors.same();
    }
    if (m.event() instanceof RecorderPresentation p) {
      output.presentation(p);
      return Behaviors.same();
    }
    RecorderStop stop = (RecorderStop) m.event();
    return finish(stop.reason());
  }

  /** Starts a recorder for each new track and stops those of tracks that are gone. */
  private void follow(List<TrackInfo> tracks) {
    output.tracks(tracks, names);
    present.clear();
    for (TrackInfo t : tracks) {
      present.put(t.trackId(), t);
      if (!recorders.containsKey(t.trackId()) && !ignored.contains(t.trackId())) {
        startRecorder(t);
      }
    }
    for (TrackRecorder r : new ArrayList<>(recorders.values())) {
      if (!present.containsKey(r.track.trackId())) {
        close(r);
      }
    }
    tellLive();
  }

  /**
   * A continuation tells the room once the router feeds a recorder for every track it records, so the egress it
   * replaces stops only then and the two overlap instead of leaving a gap.
   */
  private void tellLive() {
    if (replaces != null && !liveTold && wired.containsAll(recorders.keySet())) {
      liveTold = true;
      room.tell(new RoomProtocol.RecordingLive(egressId));
    }
  }

  private void startRecorder(TrackInfo t) {
    try {
      TrackRecorder r = output.start(t, names.get(t.participantId()));
      if (r == null) {
        ignored.add(t.trackId());
        return;
      }
      recorders.put(t.trackId(), r);
      getContext().pipeToSelf(r.exit(), (code, error) -> new Exited(t.trackId(), code == null ? -1 : code));
      getContext().getSelf().tell(new Listen(t.trackId()));
    } catch (IOException e) {
      getContext().getLog().warn("egress {}: could not start FFmpeg for track {}: {}", egressId, t.trackId(),
          e.getMessage());
    }
  }

  /**
   * Asks a track's FFmpeg to finish. Its sink keeps feeding it until it has exited: FFmpeg reads its 'q' between
   * packets, and a track with no packets at all ends by FFmpeg's own ten-second read timeout, cleanly.
   */
  private void close(TrackRecorder r) {
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
      wired.add(m.trackId());
      tellLive();
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
    output.ended(r);
    router.tell(new MediaRouterProtocol.StopRecordTrack(sinkId(r.track)));
    if (r.stopping() && !r.hasFailed()) {
      return Behaviors.same();
    }
    TrackInfo still = present.get(m.trackId());
    if (m.code() == 0 && !r.hasFailed() && still != null) {
      // FFmpeg ends cleanly by itself when a track sends nothing for ten seconds (its publisher paused or stalled):
      // that file is complete, and a new one takes the track from here.
      getContext().getLog().info("egress {}: track {} sent nothing for a while; its file is closed, a new one starts",
          egressId, m.trackId());
      startRecorder(still);
      return Behaviors.same();
    }
    // FFmpeg died: the egress ends (the room is told), every other file is finalised. A recorder that writes a file
    // may have died of a full disk, which its log says unless the log could not be written either.
    String reason = r.file != null && (r.ranOutOfSpace() || space.explainsFailure()) ? "disk_full" : "encoder_failed";
    getContext().getLog().warn("egress {}: FFmpeg for track {} exited with {} ({})", egressId, m.trackId(), m.code(),
        reason);
    room.tell(new RoomProtocol.RecordingEnded(egressId, reason));
    return finish(reason);
  }

  /**
   * Below its minimum free space the storage has just enough left to finish the files: the egress ends now, with
   * {@code disk_full}, rather than when FFmpeg can write no more and the file's end is lost.
   */
  private Behavior<Msg> onCheckSpace(CheckSpace m) {
    if (!space.low()) {
      getContext().scheduleOnce(FreeSpace.CHECK_INTERVAL, getContext().getSelf(), m);
      return Behaviors.same();
    }
    getContext().getLog().warn("egress {}: {} free on the storage, under lchat.egress.min-free-space: it ends",
        egressId, FreeSpace.megabytes(space.free()));
    room.tell(new RoomProtocol.RecordingEnded(egressId, "disk_full"));
    return finish("disk_full");
  }

  /** The room hears the recording ended (its state, and everyone's indicator), then every file is finalised. */
  private Behavior<Msg> onShutdown(Shutdown m) {
    room.tell(new RoomProtocol.RecordingEnded(egressId, m.reason()));
    return finish(m.reason());
  }

  /** What runs beside the tracks ended by itself: the recording failed. */
  private Behavior<Msg> onOutputExited(OutputExited m) {
    outputRunning = false;
    String reason = output.writes() && space.explainsFailure() ? "disk_full" : output.failure();
    getContext().getLog().warn("egress {}: the encoder exited with {} ({})", egressId, m.code(), reason);
    room.tell(new RoomProtocol.RecordingEnded(egressId, reason));
    return finish(reason);
  }

  /** Stops every recorder and the output, and waits for each FFmpeg to finalise its file. */
  private Behavior<Msg> finish(String reason) {
    endReason = reason;
    if (!started.isDone()) {
      EgressInfo ended = info("ended", reason, List.of());
      started.complete(new Started(ended, Outcome.NO_ROOM, "The room ended."));
    }
    recorders.values().forEach(this::close);
    output.stop(settings.stopTimeout());
    return finishing();
  }

  private Behavior<Msg> finishing() {
    if (recorders.isEmpty() && !outputRunning) {
      return report();
    }
    return newReceiveBuilder()
        .onMessage(Exited.class, m -> {
          TrackRecorder r = recorders.remove(m.trackId());
          if (r != null) {
            finished.add(r);
            output.ended(r);
            router.tell(new MediaRouterProtocol.StopRecordTrack(sinkId(r.track)));
          }
          return recorders.isEmpty() && !outputRunning ? report() : Behaviors.same();
        })
        .onMessage(OutputExited.class, m -> {
          outputRunning = false;
          return recorders.isEmpty() ? report() : Behaviors.same();
        })
        .onMessage(FromRoom.class, m -> Behaviors.same())
        .onMessage(Answer.class, m -> Behaviors.same())
        .onMessage(Listen.class, m -> Behaviors.same())
        .onMessage(CheckSpace.class, m -> Behaviors.same())
        .build();
  }

  /** Every file is final: probe them (off the actor's thread), then register and announce the end. */
  private Behavior<Msg> report() {
    List<TrackRecorder> done = List.copyOf(finished);
    String reason = endReason;
    Map<String, String> named = Map.copyOf(names);
    CompletableFuture.runAsync(() -> {
      List<RecordedFile> files = output.files(done, named);
      EgressInfo ended = info("ended", reason, files);
      registry.accept(ended);
      events.ended(ended);
    });
    getContext().getLog().info("egress {}: ended ({}), {} files", egressId, reason, done.size());
    return Behaviors.stopped();
  }

  private EgressInfo info(String status, String reason, List<RecordedFile> files) {
    return new EgressInfo(egressId, roomId, output.type(), status, reason, startedAt,
        status.equals("ended") ? System.currentTimeMillis() : 0, files,
        request.rtmp().stream().map(EgressInfo::redacted).toList(), request.hls());
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
