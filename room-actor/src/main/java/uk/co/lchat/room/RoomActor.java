package uk.co.lchat.room;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

import uk.co.lchat.media.control.TrackInfo;
import uk.co.lchat.room.Lobby.Waiter;
import uk.co.lchat.room.Moderation.Ruling;
import uk.co.lchat.room.RoomProtocol.*;

/**
 * One meeting: a Cluster Sharding entity that lives while anyone is in the room and forgets everything when the last
 * person leaves, and the only place where the room's rules are enforced. The actor dispatches; the rules and the
 * state live in plain objects: {@link Roster} (who is in), {@link Lobby} (who waits), {@link Admission} (who may
 * enter and how), {@link Moderation} (who may do what to whom), {@link RoomMedia} (who receives what), {@link Chat},
 * {@link SharedVideo}, {@link Slideshow}, {@link PageSharing}, {@link DisplayName}, {@link Passcode} and {@link PasscodeGuard}. The actor keeps the raised
 * hands, feature flags and the dominant speaker, and its life cycle as behaviours: {@link #recovering()} (reading
 * its replica back), open (this), {@link #closing()} (empty, waiting for its shard to stop it).
 */
public final class RoomActor extends AbstractBehavior<Command> {
  /** Peer messages carry SDP and candidates: the signaling frame limit (64 KiB) bounds them anyway. */
  static final int MAX_RELAY_CHARS = 65536;

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Room");

  private static final int MAX_PASSCODE_LENGTH = 128;
  /**
   * The longest a replaced recorder records on while its successor starts (one FFmpeg per track listening): ample
   * on a loaded machine, short enough for a drain.
   */
  static final Duration HAND_OVER_DUE = Duration.ofSeconds(15);

  /**
   * Registers the Room entity with Cluster Sharding on this node (call once per node at boot). {@code framing}: how
   * this node checks whether a shared page may be framed (the rooms it hosts ask it).
   */
  public static void initSharding(ActorSystem<?> system, RoomConfig config, RoomCounters counters,
                                  FramingCheck framing) {
    WebhookSender webhooks = new WebhookSender(config.webhooks());
    if (config.replication().enabled()) {
      // The replicator starts with the extension: on every node at boot, so rooms elsewhere can read from it.
      DistributedData.get(system);
    }
    ClusterSharding.get(system).init(
        Entity.of(ENTITY_KEY, ctx -> sharded(ctx.getEntityId(), config, webhooks, ctx.getShard(),
                state -> Handover.send(system, ctx.getEntityId(), state), counters, framing))
            .withStopMessage(new StopRoom()));
  }

  /** {@code shard} may be null outside sharding (tests): the room then stops itself when empty. */
  public static Behavior<Command> create(String roomId, RoomConfig config, WebhookSender webhooks,
                                         ActorRef<ClusterSharding.ShardCommand> shard) {
    return create(roomId, config, webhooks, shard, null);
  }

  /**
   * {@code successor} receives the room's state when the shard hands the room off with people in it (its next
   * incarnation's {@link RestoreRoom}); null: a handoff ends the meeting.
   */
  public static Behavior<Command> create(String roomId, RoomConfig config, WebhookSender webhooks,
                                         ActorRef<ClusterSharding.ShardCommand> shard,
                                         Consumer<RoomState> successor) {
    return create(roomId, config, webhooks, shard, successor, new RoomCounters());
  }

  public static Behavior<Command> create(String roomId, RoomConfig config, WebhookSender webhooks,
                                         ActorRef<ClusterSharding.ShardCommand> shard,
                                         Consumer<RoomState> successor, RoomCounters counters) {
    return create(roomId, config, webhooks, shard, successor, counters, FramingCheck.NOT_CHECKED);
  }

  /** {@code framing}: how shared pages are checked (a test's own; a node's in {@link #initSharding}). */
  public static Behavior<Command> create(String roomId, RoomConfig config, WebhookSender webhooks,
                                         ActorRef<ClusterSharding.ShardCommand> shard,
                                         Consumer<RoomState> successor, RoomCounters counters,
                                         FramingCheck framing) {
    return Behaviors.setup(ctx -> new RoomActor(ctx, roomId, config, webhooks, shard, successor, counters, null,
        null, framing));
  }

  /** A room as Cluster Sharding runs it: with {@code lchat.room.replication}, its state is replicated. */
  private static Behavior<Command> sharded(String roomId, RoomConfig config, WebhookSender webhooks,
                                           ActorRef<ClusterSharding.ShardCommand> shard,
                                           Consumer<RoomState> successor, RoomCounters counters,
                                           FramingCheck framing) {
    if (!config.replication().enabled()) {
      return create(roomId, config, webhooks, shard, successor, counters, framing);
    }
    // Under sharding, a new incarnation first reads what a majority of nodes hold of the room (it may be coming
    // back after its node crashed), keeping what arrives meanwhile in its stash.
    return Behaviors.withStash(RECOVERY_STASH, stash ->
        DistributedData.<Command, LWWMap<String, RoomState>>withReplicatorMessageAdapter(replicator ->
            Behaviors.setup(ctx -> new RoomActor(ctx, roomId, config, webhooks, shard, successor, counters,
                new RoomReplica(roomId, replicator, DistributedData.get(ctx.getSystem()).selfUniqueAddress(),
                    config.replication()), stash, framing).recovering())));
  }

  /** Commands kept while a room reads its state back; more are dropped (their senders' asks time out). */
  private static final int RECOVERY_STASH = 10_000;

  private final String roomId;
  private final RoomConfig config;
  private final WebhookSender webhooks;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final Consumer<RoomState> successor;

  private final Roster roster = new Roster();
  private final SentRoster sentRoster = new SentRoster();
  private final Lobby lobby = new Lobby();
  private final Admission admission;
  private final Moderation moderation;
  private final RoomMedia media;
  private final SharedVideo sharedVideo;
  private final Slideshow slideshow = new Slideshow();
  private final PageSharing pageSharing;
  /** This node's check of whether a shared page may be framed. */
  private final FramingCheck framingCheck;
  private final Chat chat;
  private final Map<ActorRef<ClientEvent>, String> memberByClient = new HashMap<>();
  /** Clients whose passcode is being checked off the room's thread. */
  private final Set<ActorRef<ClientEvent>> checking = new HashSet<>();
  private final PasscodeGuard guard;
  private final RoomCounters counters;
  private final Executor hashing;
  /** Where the room's state is replicated; null outside sharding (tests) or with replication off. */
  private final RoomReplica replica;
  /** The next routine write of the replica (at most one is pending). */
  private Cancellable replicaTick;
  private final StashBuffer<Command> stash;
  private boolean recoveryFailed;
  /** The room's own participant limit (the server API may set one under the deployment's). */
  private int maxParticipants;
  /** A room created through the server API waits for its first participant until then; 0: not waiting. */
  private long reservedUntilMillis;
  /** Why the meeting ends, for the room.ended webhook. */
  private String endReason = "empty";
  private final LinkedHashSet<String> hands = new LinkedHashSet<>();
  private final Map<String, Boolean> features;
  private Passcode passcode;
  private String dominantSpeaker;
  private final RecordingState recording = new RecordingState();
  private boolean created;
  private boolean rosterFlushScheduled;

  private RoomActor(ActorContext<Command> context, String roomId, RoomConfig config, WebhookSender webhooks,
                    ActorRef<ClusterSharding.ShardCommand> shard, Consumer<RoomState> successor,
                    RoomCounters counters, RoomReplica replica, StashBuffer<Command> stash,
                    FramingCheck framingCheck) {
    super(context);
    this.framingCheck = framingCheck;
    this.pageSharing = new PageSharing(config.sharedPage().allowedHosts());
    this.replica = replica;
    this.stash = stash;
    this.guard = new PasscodeGuard(config.passcodeGuard());
    this.counters = counters;
    this.hashing = context.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    this.successor = successor;
    this.roomId = roomId;
    this.config = config;
    this.media = new RoomMedia(config.lastN(), this::mayShareScreen);
    this.sharedVideo = new SharedVideo(config.sharedVideoHosts());
    this.chat = new Chat(config.maxChatLength(), config.chatHistory());
    this.webhooks = webhooks;
    this.shard = shard;
    this.features = new LinkedHashMap<>(config.features());
    this.admission = new Admission(config.authMode());
    this.moderation = new Moderation(roster, config.controllerMode(), admission.promotesWhenLeaderless());
    this.maxParticipants = config.maxParticipants();
  }

  /** The open room: people join, meet and leave. */
  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Join.class, this::onJoin)
        .onMessage(PasscodeChecked.class, this::onPasscodeChecked)
        .onMessage(Leave.class, m -> onLeave(m.participantId(), m.from()))
        .onMessage(SendChat.class, this::onChat)
        .onMessage(FlushRoster.class, this::onFlushRoster)
        .onMessage(RelayToPeer.class, this::onRelay)
        .onMessage(SetOwnMute.class, this::onSetOwnMute)
        .onMessage(SetDisplayName.class, this::onSetDisplayName)
        .onMessage(RequestMute.class, this::onRequestMute)
        .onMessage(Remove.class, m -> replicateMajority(onRemove(m)))
        .onMessage(CreateRoom.class, this::onCreateRoom)
        .onMessage(GetDetails.class, m -> {
          m.replyTo().tell(details());
          return endIfEmpty();
        })
        .onMessage(ServerMute.class, this::onServerMute)
        .onMessage(ServerRemove.class, m -> replicateMajority(onServerRemove(m)))
        .onMessage(ServerGrantModerator.class, m -> replicateMajority(onServerGrantModerator(m)))
        .onMessage(SendData.class, this::onSendData)
        .onMessage(EndRoom.class, this::onEndRoom)
        .onMessage(ReservationOver.class, m -> onReservationOver())
        .onMessage(GrantModerator.class, m -> replicateMajority(onGrantModerator(m)))
        .onMessage(SetPasscode.class, m -> replicateMajority(onSetPasscode(m)))
        .onMessage(SetLobby.class, m -> replicateMajority(onSetLobby(m)))
        .onMessage(Admit.class, this::onAdmit)
        .onMessage(Deny.class, this::onDeny)
        .onMessage(SetHand.class, m -> setHand(roster.get(m.participantId()), m.raised()))
        .onMessage(LowerHand.class, m -> carryOut(moderation.lowerHand(m.by(), m.target()),
            allowed -> setHand(allowed.target(), false)))
        .onMessage(SetControllerMode.class, m -> replicateMajority(onSetControllerMode(m)))
        .onMessage(SetFeature.class, this::onSetFeature)
        .onMessage(SetLastN.class, this::onSetLastN)
        .onMessage(SetReceiverConstraints.class, this::onSetReceiverConstraints)
        .onMessage(ControlSharedVideo.class, this::onSharedVideo)
        .onMessage(ControlSharedPage.class, this::onSharedPage)
        .onMessage(SharedPageChecked.class, m -> pageOutcome(null, pageSharing.checked(m.check(), m.result())))
        .onMessage(StartPresentation.class, this::onStartPresentation)
        .onMessage(PresentationAccess.class, this::onPresentationAccess)
        .onMessage(CheckDocument.class, this::onCheckDocument)
        .onMessage(ControlPresentation.class, this::onControlPresentation)
        .onMessage(FlushPointer.class, m -> presentationOutcome(slideshow.flushPointer(System.currentTimeMillis())))
        .onMessage(SetDominantSpeaker.class, this::onDominantSpeaker)
        .onMessage(GetInfo.class, m -> {
          m.replyTo().tell(info());
          return endIfEmpty();
        })
        .onMessage(AttachMedia.class, this::onAttachMedia)
        .onMessage(PublishTracks.class, this::onPublishTracks)
        .onMessage(StartRecording.class, m -> replicateMajority(onStartRecording(m)))
        .onMessage(StopRecording.class, m -> replicateMajority(onStopRecording(m)))
        .onMessage(RecordingEnded.class, m -> replicateMajority(recordingOver(m.egressId(), m.reason())))
        .onMessage(RecorderGone.class, m -> replicateMajority(recordingOver(m.egressId(), "egress_gone")))
        .onMessage(RecordingLive.class, m -> stopReplaced(recording.live(m.egressId())))
        .onMessage(HandOverDue.class, m -> stopReplaced(recording.handOverDue(m.oldEgressId())))
        .onMessage(GetTracks.class, m -> {
          m.replyTo().tell(trackList(m.participantId()));
          return roster.isEmpty() ? endIfEmpty() : this;
        })
        .onMessage(StopRoom.class, m -> stop())
        .onMessage(RestoreRoom.class, m -> {
          restore(m.state());
          return endIfEmpty();
        })
        .onMessage(ReplicaTick.class, m -> replicate())
        .onMessage(ReplicaWritten.class, this::onReplicaWritten)
        .onMessage(ReplicaRead.class, m -> this)
        .build();
  }

  // ---- life cycle: recovering, closing, stopping ----------------------------------------------------------------

  /** A new incarnation under sharding: read the room's state back before anything else. */
  private Behavior<Command> recovering() {
    replica.read();
    return Behaviors.receive(Command.class)
        .onMessage(ReplicaRead.class, this::onRecovered)
        .onMessage(ReplicaTick.class, m -> {
          replica.read();
          return Behaviors.same();
        })
        .onMessage(Join.class, join -> {
          if (recoveryFailed) {
            // Opening empty could drop the passcode and lobby of a meeting that is still going on.
            join.client().tell(new JoinRefused("room_recovering",
                "This meeting is being recovered after a server failure; try again in a few seconds.", 2));
          } else {
            keep(join);
          }
          return Behaviors.same();
        })
        .onAnyMessage(m -> {
          keep(m);
          return Behaviors.same();
        })
        .build();
  }

  private void keep(Command m) {
    if (stash.isFull()) {
      getContext().getLog().warn("room {}: dropped {} while recovering (stash full)", roomId,
          m.getClass().getSimpleName());
    } else {
      stash.stash(m);
    }
  }

  private Behavior<Command> onRecovered(ReplicaRead r) {
    if (r.failed()) {
      if (!recoveryFailed) {
        getContext().getLog().warn("room {}: its state could not be read from a majority of nodes; refusing joins"
            + " until it can", roomId);
      }
      recoveryFailed = true;
      scheduleReplicaTick(Duration.ofSeconds(1));
      return Behaviors.same();
    }
    scheduleReplicaTick(replica.interval());
    Behavior<Command> next = this;
    if (RoomReplica.holdsAMeeting(r.state())) {
      getContext().getLog().info("room {}: recovered from the replica with {} participants", roomId,
          r.state().participants().size());
      restore(r.state());
      next = endIfEmpty();
    }
    return stash.unstashAll(next);
  }

  /**
   * An empty room that has asked its shard to passivate it, until the shard's {@link StopRoom} ends it. Nobody
   * enters any more: a joiner is told to retry, and reaches the room's next incarnation. Questions are answered as
   * an empty room answers them; participants' commands find nobody in the room and are dropped. A handed-over
   * state that races the passivation ({@link RestoreRoom}) opens the room again, so that meeting is not lost.
   */
  private Behavior<Command> closing() {
    return Behaviors.receive(Command.class)
        .onMessage(Join.class, m -> refuseWhileClosing(m.client()))
        .onMessage(PasscodeChecked.class, m -> {
          checking.remove(m.join().client());
          guard.abandoned(m.join().clientAddress());
          return refuseWhileClosing(m.join().client());
        })
        .onMessage(CreateRoom.class, m -> {
          m.replyTo().tell(new ServerReply(Outcome.EXISTS, "The room " + roomId + " is closing; try again."));
          return Behaviors.same();
        })
        .onMessage(GetInfo.class, m -> {
          m.replyTo().tell(info());
          return Behaviors.same();
        })
        .onMessage(GetDetails.class, m -> {
          m.replyTo().tell(details());
          return Behaviors.same();
        })
        .onMessage(GetTracks.class, m -> {
          m.replyTo().tell(trackList(m.participantId()));
          return Behaviors.same();
        })
        .onMessage(ServerMute.class, m -> noRoomWhileClosing(m.replyTo()))
        .onMessage(ServerRemove.class, m -> noRoomWhileClosing(m.replyTo()))
        .onMessage(ServerGrantModerator.class, m -> noRoomWhileClosing(m.replyTo()))
        .onMessage(SendData.class, m -> noRoomWhileClosing(m.replyTo()))
        .onMessage(EndRoom.class, m -> noRoomWhileClosing(m.replyTo()))
        .onMessage(StartRecording.class, m -> noRoomWhileClosing(m.replyTo()))
        .onMessage(StopRecording.class, m -> noRoomWhileClosing(m.replyTo()))
        .onMessage(PresentationAccess.class, m -> {
          m.replyTo().tell(notAMember());
          return Behaviors.same();
        })
        .onMessage(StartPresentation.class, m -> {
          m.replyTo().tell(notAMember());
          return Behaviors.same();
        })
        // Closing for a handoff keeps the presentation in the replica for the next incarnation: it answers.
        .onMessage(CheckDocument.class, m -> Behaviors.same())
        .onMessage(FlushRoster.class, m -> {
          onFlushRoster(m); // to nobody, but the next batch must be scheduled if the room opens again
          return Behaviors.same();
        })
        .onMessage(ReplicaWritten.class, m -> {
          onReplicaWritten(m);
          return Behaviors.same();
        })
        .onMessage(RestoreRoom.class, m -> {
          restore(m.state());
          if (!inUse()) {
            return Behaviors.same();
          }
          getContext().getLog().info("room {}: reopened by a handover while closing", roomId);
          if (replica != null) {
            scheduleReplicaTick(replica.interval());
          }
          return this;
        })
        .onMessage(StopRoom.class, m -> end())
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<Command> refuseWhileClosing(ActorRef<ClientEvent> client) {
    client.tell(new JoinRefused("retry", "The room is closing; join again."));
    return Behaviors.same();
  }

  private Behavior<Command> noRoomWhileClosing(ActorRef<ServerAnswer> replyTo) {
    replyTo.tell(new ServerReply(Outcome.NO_ROOM, "No meeting " + roomId + " is going on."));
    return Behaviors.same();
  }

  /** An empty room asks its shard to passivate it and closes (outside sharding it stops at once). */
  private Behavior<Command> endIfEmpty() {
    if (inUse()) {
      return this;
    }
    if (shard == null) {
      return stop();
    }
    shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
    if (replicaTick != null) {
      replicaTick.cancel(); // its state is removed when it stops: no more routine writes
    }
    return closing();
  }

  /** The shard stops the room: a handoff when people are in it and a successor takes them, else the end. */
  private Behavior<Command> stop() {
    if (successor != null && (!roster.isEmpty() || !lobby.isEmpty())) {
      // A handoff (this node leaves the cluster): the next incarnation, on another node, takes over (see Handover
      // for how the state gets there).
      successor.accept(state());
      getContext().getLog().info("room {}: handed over with {} participants", roomId, roster.size());
      return Behaviors.stopped();
    }
    return end();
  }

  /** The meeting is over: its replica goes, whoever is still in must rejoin, and the webhook says why. */
  private Behavior<Command> end() {
    if (replica != null) {
      replica.remove();
    }
    endRecording();
    dropPresentation(slideshow.stop());
    if (!roster.isEmpty()) {
      endReason = "stopped";
    }
    for (Participant p : roster.all()) {
      // Only a shard rebalance stops a room with people in it; they must rejoin.
      p.client.tell(new Removed(null));
    }
    if (created) {
      webhooks.roomEvent(WebhookSender.Event.ROOM_ENDED, roomId, endReason);
    }
    getContext().getLog().info("room {}: closed", roomId);
    return Behaviors.stopped();
  }

  // ---- replication (RoomReplica) --------------------------------------------------------------------------------

  private void scheduleReplicaTick(Duration after) {
    if (replicaTick != null) {
      replicaTick.cancel();
    }
    replicaTick = getContext().scheduleOnce(after, getContext().getSelf(), new ReplicaTick());
  }

  /** The routine write: the state, if it changed, at most once per interval. */
  private Behavior<Command> replicate() {
    replica.writeIfChanged(state());
    scheduleReplicaTick(replica.intervalFor(roster.size()));
    return this;
  }

  /**
   * After a change to who may get in: the state goes to a majority of nodes at once. A room nobody is in has
   * nothing to protect (it is closing, and its replica is removed when it stops).
   */
  private Behavior<Command> replicateMajority(Behavior<Command> next) {
    if (replica != null && inUse()) {
      replica.writeMajority(state());
    }
    return next;
  }

  private Behavior<Command> onReplicaWritten(ReplicaWritten w) {
    if (!w.ok()) {
      getContext().getLog().warn("room {}: a {} write of its state did not complete in time", roomId,
          w.majority() ? "security" : "routine");
    }
    return this;
  }

  // ---- entering and leaving -------------------------------------------------------------------------------------

  private Behavior<Command> onJoin(Join join) {
    ActorRef<ClientEvent> client = join.client();
    if (memberByClient.containsKey(client) || checking.contains(client)) {
      client.tell(new CommandRejected("invalid", "This session has already joined."));
      return this;
    }
    if (join.resumeId() != null) {
      Participant p = roster.get(join.resumeId());
      if (p != null && p.sessionToken != null && p.sessionToken.equals(join.sessionToken())) {
        return resume(p, client);
      }
    }
    String refusal = admission.refusal(join);
    if (refusal != null) {
      client.tell(new JoinRefused(refusal, Admission.explain(refusal)));
      return endIfEmpty();
    }
    // A token's name is the person's name: the back end that signed it decides it, not the joiner.
    Identity identity = join.identity();
    String name = DisplayName.valid(identity != null && identity.displayName() != null ? identity.displayName()
        : join.displayName(), config.maxNameLength());
    if (name == null) {
      client.tell(new JoinRefused("invalid_name", "A name needs 1 to " + config.maxNameLength()
          + " characters, no control, zero-width or direction-override characters."));
      return endIfEmpty();
    }
    if (admission.needsPasscode(join, passcode != null)) {
      return checkPasscode(join, name);
    }
    return admit(join, name);
  }

  /**
   * Guesses are throttled before they are checked ({@link PasscodeGuard}); the PBKDF2 check itself runs off the
   * room's thread and comes back as {@link PasscodeChecked}.
   */
  private Behavior<Command> checkPasscode(Join join, String name) {
    if (join.passcode() == null || join.passcode().isEmpty()) {
      join.client().tell(new JoinRefused("passcode_required", "This meeting needs a passcode."));
      return this;
    }
    long wait = guard.waitMillis(join.clientAddress(), System.currentTimeMillis());
    if (wait > 0) {
      counters.passcodeThrottled();
      long seconds = seconds(wait);
      join.client().tell(new JoinRefused("passcode_throttled",
          "Too many wrong passcodes; try again in " + seconds + " s.", seconds));
      return this;
    }
    guard.checking(join.clientAddress());
    checking.add(join.client());
    Passcode against = passcode;
    String guess = join.passcode();
    getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> against.matches(guess), hashing),
        (matches, failure) -> new PasscodeChecked(join, name, against, matches != null && matches));
    return this;
  }

  private Behavior<Command> onPasscodeChecked(PasscodeChecked c) {
    Join join = c.join();
    checking.remove(join.client());
    if (c.against() != passcode) {
      // The passcode changed (or was cleared) while this guess was checked: judge it by the current one.
      guard.abandoned(join.clientAddress());
      return onJoin(join);
    }
    if (!c.matches()) {
      counters.passcodeWrong();
      long wait = guard.failed(join.clientAddress(), System.currentTimeMillis());
      getContext().getLog().info("room {}: wrong passcode from {}", roomId, join.clientAddress());
      join.client().tell(wait > 0
          ? new JoinRefused("passcode_wrong", "The passcode is wrong; try again in " + seconds(wait) + " s.",
              seconds(wait))
          : new JoinRefused("passcode_wrong", "The passcode is wrong."));
      return this;
    }
    guard.succeeded(join.clientAddress());
    return admit(join, c.name());
  }

  private static long seconds(long millis) {
    return Math.max(1, (millis + 999) / 1000);
  }

  /**
   * Past the passcode: waiting for the room's host (a guest of a room no token holder has opened), into the lobby
   * when it is on, else into the room ({@link Admission#entry}).
   */
  private Behavior<Command> admit(Join join, String name) {
    return switch (admission.entry(join.identity(), lobby.enabled(), !roster.isEmpty())) {
      case WAIT_FOR_HOST -> waitInLobby(join, name, true);
      case LOBBY -> waitInLobby(join, name, false);
      case ENTER -> enter(join.sessionToken(), name, join.viewer(), join.client(), join.identity());
    };
  }

  private Behavior<Command> waitInLobby(Join join, String name, boolean forHost) {
    Waiter w = lobby.knock(join, name, forHost);
    watch(join.client(), w.lobbyId());
    join.client().tell(new LobbyWaiting(w.lobbyId(), forHost));
    if (!forHost) {
      tellLobbyToControllers();
    }
    return this;
  }

  /** Someone who waited in the lobby comes in. */
  private Behavior<Command> enter(Waiter w) {
    unwatch(w.client());
    return enter(w.sessionToken(), w.displayName(), w.viewer(), w.client(), w.identity());
  }

  private Behavior<Command> enter(String sessionToken, String name, boolean viewer, ActorRef<ClientEvent> client,
                                  Identity identity) {
    if (viewer ? roster.viewers() >= config.maxViewers() : roster.publishers() >= maxParticipants) {
      client.tell(new JoinRefused("room_full", "The meeting is full."));
      return endIfEmpty();
    }
    Role role = admission.role(identity, viewer, roster.hasModerator());
    Participant p = roster.add(sessionToken, name, role, client, identity);
    watch(client, p.id);
    reservedUntilMillis = 0; // it was waiting for its first participant: from now on it lives by its people
    if (!created) {
      created = true;
      webhooks.roomEvent(WebhookSender.Event.ROOM_CREATED, roomId, null);
    }
    client.tell(new Joined(p.id, role, snapshot(), media.routersInUse(), p.grants()));
    showLobbyTo(p);
    rosterChanged(p);
    webhooks.participantEvent(WebhookSender.Event.PARTICIPANT_JOINED, roomId, p.id, p.displayName, p.role,
        p.subject(), null);
    getContext().getLog().info("room {}: {} joined as {} ({} in room)", roomId, p.id, role, roster.size());
    if (admission.entered(identity)) {
      getContext().getLog().info("room {}: opened by a token holder", roomId);
      letGuestsIn();
      return replicateMajority(this);
    }
    return this;
  }

  /**
   * A token holder has opened the room: the guests who waited for it come in, or, with the lobby on, now wait for
   * a moderator like anyone else.
   */
  private void letGuestsIn() {
    Lobby.HostArrival arrival = lobby.hostArrived();
    for (Waiter w : arrival.knocking()) {
      w.client().tell(new LobbyWaiting(w.lobbyId(), false));
    }
    for (Waiter w : arrival.admitted()) {
      enter(w);
    }
    if (!arrival.knocking().isEmpty()) {
      tellLobbyToControllers();
    }
  }

  /** The same participant over a new connection: nothing changes for anybody else. */
  private Behavior<Command> resume(Participant p, ActorRef<ClientEvent> client) {
    ActorRef<ClientEvent> old = p.client;
    unwatch(old);
    old.tell(new Superseded());
    p.client = client;
    watch(client, p.id);
    client.tell(new Resumed(p.id, p.role, snapshot(), media.router(p.id), p.grants()));
    showLobbyTo(p);
    getContext().getLog().info("room {}: {} resumed over a new connection", roomId, p.id);
    return this;
  }

  private Behavior<Command> onLeave(String id, ActorRef<ClientEvent> from) {
    if (from != null && !from.equals(clientOf(id))) {
      getContext().getLog().debug("room {}: ignored a leave for {} from a connection it no longer uses", roomId, id);
      return this;
    }
    return leave(id, "left");
  }

  private ActorRef<ClientEvent> clientOf(String id) {
    Waiter waiter = lobby.get(id);
    if (waiter != null) {
      return waiter.client();
    }
    Participant p = roster.get(id);
    return p == null ? null : p.client;
  }

  /** {@code reason}, for the participant.left webhook: {@code left} or {@code removed}. */
  private Behavior<Command> leave(String id, String reason) {
    Waiter waiter = lobby.leave(id);
    if (waiter != null) {
      unwatch(waiter.client());
      if (!waiter.forHost()) {
        tellLobbyToControllers();
      }
      return endIfEmpty();
    }
    Participant p = roster.remove(id);
    if (p == null) {
      return this;
    }
    unwatch(p.client);
    media.remove(p.id);
    pushSources();
    boolean handsChanged = hands.remove(p.id);
    presentationOutcome(slideshow.left(p.id));
    pageOutcome(null, pageSharing.left(p.id));
    Participant promoted = moderation.promoteIfLeaderless();
    if (promoted != null) {
      promoted.client.tell(new RoleChanged(Role.MODERATOR));
      showLobbyTo(promoted);
    }
    webhooks.participantEvent(WebhookSender.Event.PARTICIPANT_LEFT, roomId, p.id, p.displayName, p.role,
        p.subject(), reason);
    getContext().getLog().info("room {}: {} left ({} in room)", roomId, p.id, roster.size());
    if (roster.isEmpty()) {
      // Nobody is left to let the lobby in: the meeting is over for them too.
      for (Waiter w : lobby.clear()) {
        unwatch(w.client());
        w.client().tell(new JoinRefused("denied", "The meeting has ended."));
      }
      return endIfEmpty();
    }
    rosterChanged(null);
    if (handsChanged) {
      broadcast(new HandsChanged(new ArrayList<>(hands)));
    }
    if (p.id.equals(dominantSpeaker)) {
      dominantSpeaker = null;
      broadcast(new DominantSpeakerChanged(null));
    }
    return this;
  }

  private Behavior<Command> onRemove(Remove m) {
    return carryOut(moderation.remove(m.by(), m.target()), a -> removeParticipant(a.target(), a.by().id));
  }

  /**
   * {@code byId}: the moderator's participant id, or null for the server API. The session and, with a token, its
   * subject are banned for the room's life: the person cannot come back with a new connection or a new token.
   */
  private Behavior<Command> removeParticipant(Participant target, String byId) {
    admission.ban(target.sessionToken, target.subject());
    target.client.tell(new Removed(byId));
    getContext().getLog().info("room {}: {} removed {}", roomId, byId == null ? "the server API" : byId,
        target.id);
    return leave(target.id, "removed");
  }

  // ---- lobby ----------------------------------------------------------------------------------------------------

  private Behavior<Command> onAdmit(Admit m) {
    Waiter w = lobbyEntryFor(m.by(), m.lobbyId());
    if (w == null) {
      return this;
    }
    tellLobbyToControllers();
    return enter(w);
  }

  private Behavior<Command> onDeny(Deny m) {
    Waiter w = lobbyEntryFor(m.by(), m.lobbyId());
    if (w == null) {
      return this;
    }
    unwatch(w.client());
    w.client().tell(new JoinRefused("denied", "A moderator did not let you in."));
    tellLobbyToControllers();
    return this;
  }

  /** The knocker a moderator admits or denies, out of the lobby; null after telling {@code byId} why not. */
  private Waiter lobbyEntryFor(String byId, String lobbyId) {
    return switch (moderation.admitOrDeny(byId)) {
      case Ruling.Allowed a -> {
        Waiter w = lobby.take(lobbyId);
        if (w == null) {
          a.by().client.tell(new CommandRejected("not_found", "Nobody with that id is waiting."));
        }
        yield w;
      }
      case Ruling.Refused r -> {
        reject(r);
        yield null;
      }
      case Ruling.Ignored i -> null;
    };
  }

  private Behavior<Command> onSetLobby(SetLobby m) {
    return carryOut(moderation.changeRoom(m.by()), a -> {
      if (lobby.enabled() == m.enabled()) {
        return this;
      }
      // Turning the lobby off opens the door for everyone already waiting (for a moderator, not for the host).
      List<Waiter> admitted = lobby.setEnabled(m.enabled());
      broadcast(new SettingsChanged(settings()));
      if (!m.enabled()) {
        tellLobbyToControllers();
        admitted.forEach(this::enter);
      }
      return this;
    });
  }

  // ---- chat, mute, roles, hands ---------------------------------------------------------------------------------

  /**
   * Tells everyone (but {@code except}, who has it in its snapshot) the roster: whole and at once in a small room;
   * in a large one, the next timer tick sends only what changed since (a {@link RosterDelta}).
   */
  private void rosterChanged(Participant except) {
    if (roster.size() <= config.rosterBatchAbove()) {
      List<ParticipantView> views = roster.views();
      sentRoster.toldAll(views);
      if (except == null) {
        broadcast(new RosterChanged(views));
      } else {
        broadcastExcept(except, new RosterChanged(views));
      }
      return;
    }
    if (!rosterFlushScheduled) {
      rosterFlushScheduled = true;
      // Each batch goes to everyone, so the bigger the room the rarer it goes: the interval grows with the size.
      long factor = Math.max(1, roster.size() / Math.max(1, config.rosterBatchAbove()));
      getContext().scheduleOnce(config.rosterBatchInterval().multipliedBy(factor), getContext().getSelf(),
          new FlushRoster());
    }
  }

  private Behavior<Command> onFlushRoster(FlushRoster m) {
    rosterFlushScheduled = false;
    RosterDelta delta = sentRoster.changesTo(roster.views());
    if (delta != null) {
      broadcast(delta);
    }
    return this;
  }

  /** Peer-to-peer call setup between two participants: the room only checks who may talk to whom. */
  private Behavior<Command> onRelay(RelayToPeer m) {
    Participant from = roster.get(m.from());
    if (from == null) {
      return this;
    }
    if (!feature("p2p")) {
      return reject(from, "forbidden", "Direct (peer-to-peer) media is turned off in this meeting.");
    }
    // A recording takes every track from the router, which a direct call bypasses: clients move to the bridge.
    if (recording.current() != null) {
      return reject(from, "forbidden", "Direct (peer-to-peer) media is off while the meeting is recorded.");
    }
    Participant to = roster.get(m.to());
    if (to == null) {
      return reject(from, "not_found", "That participant is not in the meeting.");
    }
    if (to == from || m.payload() == null || m.payload().length() > MAX_RELAY_CHARS) {
      return reject(from, "invalid", "A peer message goes to someone else and holds at most "
          + MAX_RELAY_CHARS + " characters.");
    }
    // A direct call carries media past the router, so its offers and answers are where a screen share is refused.
    if (ScreenShare.sentInPeerMessage(m.payload()) && !mayUse(from, FeaturePolicy.SCREENSHARE)) {
      return this;
    }
    to.client.tell(new PeerRelayed(from.id, m.payload()));
    return this;
  }

  private Behavior<Command> onChat(SendChat m) {
    Participant from = roster.get(m.from());
    if (from == null) {
      return this;
    }
    // The room's flags narrowed by the sender's token grants; a refusal has told the sender why.
    if (!mayUse(from, "chat") || (m.to() != null && !mayUse(from, "privateChat"))) {
      return this;
    }
    return switch (chat.send(from, m.text(), m.to(), roster, feature("chat"), feature("privateChat"),
        System.currentTimeMillis())) {
      case Chat.Outcome.ToEveryone e -> {
        broadcast(new ChatDelivered(e.message()));
        yield this;
      }
      case Chat.Outcome.Private p -> {
        ChatDelivered delivered = new ChatDelivered(p.message());
        from.client.tell(delivered);
        p.to().client.tell(delivered);
        yield this;
      }
      case Chat.Outcome.Refused r -> reject(from, r.code(), r.message());
    };
  }

  private Behavior<Command> onSetOwnMute(SetOwnMute m) {
    Participant p = roster.get(m.participantId());
    if (p != null && (p.audioMuted != m.audioMuted() || p.videoMuted != m.videoMuted())) {
      p.audioMuted = m.audioMuted();
      p.videoMuted = m.videoMuted();
      rosterChanged(null);
    }
    return this;
  }

  private Behavior<Command> onSetDisplayName(SetDisplayName m) {
    Participant p = roster.get(m.participantId());
    if (p == null) {
      return this;
    }
    if (p.identity != null && p.identity.displayName() != null) {
      return reject(p, "forbidden", "Your name comes from your invitation and cannot be changed.");
    }
    String name = DisplayName.valid(m.displayName(), config.maxNameLength());
    if (name == null) {
      return reject(p, "invalid_name", "A name needs 1 to " + config.maxNameLength()
          + " characters, no control, zero-width or direction-override characters.");
    }
    String before = p.displayName;
    if (!roster.rename(p, name).equals(before)) {
      rosterChanged(null);
    }
    return this;
  }

  private Behavior<Command> onRequestMute(RequestMute m) {
    return carryOut(moderation.requestMute(m.by(), m.target(), m.kind()), a -> {
      a.target().mute(m.kind());
      a.target().client.tell(new MuteRequested(m.kind(), a.by().id));
      rosterChanged(null);
      return this;
    });
  }

  private Behavior<Command> onGrantModerator(GrantModerator m) {
    return carryOut(moderation.grantModerator(m.by(), m.target()), a -> {
      promote(a.target());
      return this;
    });
  }

  private Behavior<Command> setHand(Participant p, boolean raised) {
    if (p == null) {
      return this;
    }
    if (raised && !mayUse(p, "raiseHand")) {
      return this;
    }
    if (p.handRaised != raised) {
      p.handRaised = raised;
      if (raised) {
        hands.add(p.id);
      } else {
        hands.remove(p.id);
      }
      broadcast(new HandsChanged(new ArrayList<>(hands)));
      rosterChanged(null);
    }
    return this;
  }

  // ---- settings -------------------------------------------------------------------------------------------------

  private Behavior<Command> onSetPasscode(SetPasscode m) {
    return carryOut(moderation.changeRoom(m.by()), a -> {
      String code = m.passcode();
      if (code != null && code.length() > MAX_PASSCODE_LENGTH) {
        return reject(a.by(), "invalid", "A passcode has at most " + MAX_PASSCODE_LENGTH + " characters.");
      }
      passcode = code == null || code.isEmpty() ? null : Passcode.of(code);
      broadcast(new SettingsChanged(settings()));
      return this;
    });
  }

  private Behavior<Command> onSetControllerMode(SetControllerMode m) {
    return carryOut(moderation.changeRoom(m.by()), a -> {
      if (moderation.setControllerMode(m.enabled())) {
        broadcast(new SettingsChanged(settings()));
        tellLobbyToControllers();
      }
      return this;
    });
  }

  private Behavior<Command> onSetFeature(SetFeature m) {
    return carryOut(moderation.changeRoom(m.by()), a -> {
      Boolean allowed = config.features().get(m.flag());
      if (allowed == null) {
        return reject(a.by(), "invalid", "Unknown feature: " + m.flag());
      }
      if (m.enabled() && !allowed) {
        return reject(a.by(), "forbidden", "This deployment does not offer " + m.flag() + ".");
      }
      if (features.get(m.flag()) != m.enabled()) {
        features.put(m.flag(), m.enabled());
        broadcast(new SettingsChanged(settings()));
        if (m.flag().equals("sharedVideo") && !m.enabled()) {
          SharedVideoState stopped = sharedVideo.turnedOff(System.currentTimeMillis());
          if (stopped != null) {
            broadcast(new SharedVideoChanged(stopped));
          }
        }
        if (m.flag().equals(FeaturePolicy.SCREENSHARE)) {
          pushSources(); // screens shared so far stop (or start again) reaching the others
        }
        if (m.flag().equals(FeaturePolicy.PRESENTATION) && !m.enabled() && slideshow.current() != null) {
          presentationOutcome(new Slideshow.Outcome.Changed(null, slideshow.stop()));
        }
        if (m.flag().equals(FeaturePolicy.SHARED_PAGE) && !m.enabled()) {
          pageOutcome(null, pageSharing.turnedOff());
        }
      }
      return this;
    });
  }

  private Behavior<Command> onSharedVideo(ControlSharedVideo m) {
    Participant by = roster.get(m.by());
    if (by == null) {
      return this;
    }
    if (!mayUse(by, "sharedVideo")) {
      return this;
    }
    return switch (sharedVideo.control(by, m.action(), m.url(), m.positionSeconds(), System.currentTimeMillis())) {
      case SharedVideo.Outcome.Changed c -> {
        broadcast(new SharedVideoChanged(c.state()));
        yield this;
      }
      case SharedVideo.Outcome.Refused r -> reject(by, r.code(), r.message());
    };
  }

  // ---- a shared web page (PageSharing) --------------------------------------------------------------------------

  private Behavior<Command> onSharedPage(ControlSharedPage m) {
    Participant by = roster.get(m.by());
    if (by == null) {
      return this;
    }
    // Stopping is always possible: a moderator may turn the feature off and the sharer still stop.
    if (m.action() != SharedPageAction.STOP && !mayUse(by, FeaturePolicy.SHARED_PAGE)) {
      return this;
    }
    return pageOutcome(by, pageSharing.control(by, m.action(), m.url()));
  }

  /**
   * A share the room accepted is checked by the node off the room's thread (it fetches the page); its answer comes
   * back as {@link SharedPageChecked}, or, if the node takes longer than the check timeout, an unknown framing (the
   * page is then shown in a frame anyway).
   */
  private Behavior<Command> pageOutcome(Participant by, PageSharing.Outcome outcome) {
    switch (outcome) {
      case PageSharing.Outcome.Check c -> {
        Duration timeout = config.sharedPage().checkTimeout();
        FramingCheck.Result late = new FramingCheck.Result(Framing.UNKNOWN, "the site did not answer within "
            + timeout.toMillis() + " ms");
        CompletionStage<FramingCheck.Result> check;
        try {
          check = framingCheck.check(c.url()).toCompletableFuture()
              .completeOnTimeout(late, timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
          check = CompletableFuture.failedFuture(e);
        }
        getContext().pipeToSelf(check, (result, error) -> new SharedPageChecked(c.check(), error == null ? result
            : new FramingCheck.Result(Framing.UNKNOWN, "the check failed: " + error.getClass().getSimpleName())));
      }
      case PageSharing.Outcome.Changed ch -> {
        broadcast(new SharedPageChanged(ch.page()));
        getContext().getLog().info("room {}: shared page {}", roomId, ch.page() == null ? "stopped"
            : "by " + ch.page().sharedBy() + " (framing " + ch.page().framing() + ")");
      }
      case PageSharing.Outcome.Unchanged u -> { }
      case PageSharing.Outcome.Refused r -> {
        if (by != null) {
          reject(by, r.code(), r.message());
        }
      }
    }
    return this;
  }

  // ---- presentations (Slideshow) --------------------------------------------------------------------------------

  /** The member a node's HTTP request names, if its session token matches (the client proves who it is with it). */
  private Participant member(String participantId, String sessionToken) {
    Participant p = participantId == null ? null : roster.get(participantId);
    return p != null && p.sessionToken != null && p.sessionToken.equals(sessionToken) ? p : null;
  }

  private static PresentationReply notAMember() {
    return new PresentationReply(false, "forbidden", "Only the meeting's participants may do that.", null, null,
        null);
  }

  /** A member's answer: {@code code} null when granted; with what is presented now and where its bytes are. */
  private PresentationReply presentationReply(String code, String message, String feature) {
    Presentation p = slideshow.current();
    return new PresentationReply(true, code, message, feature, presentationView(), p == null ? null : p.servedBy());
  }

  private PresentationView presentationView() {
    Presentation p = slideshow.current();
    return p == null ? null : p.view(roomId);
  }

  /** Why {@code p} may not start presenting (the feature, its token, the rules), or null when it may. */
  private PresentationReply refusePresenting(Participant p) {
    FeaturePolicy.Refusal refusal = FeaturePolicy.refusal(FeaturePolicy.PRESENTATION, features, p.grants());
    if (refusal != null) {
      return presentationReply(refusal.code(), refusal.message(), refusal.feature());
    }
    Slideshow.Outcome.Refused refused = slideshow.refuseStart(p);
    return refused == null ? null : presentationReply(refused.code(), refused.message(), null);
  }

  private Behavior<Command> onPresentationAccess(PresentationAccess m) {
    Participant p = member(m.participantId(), m.sessionToken());
    if (p == null) {
      m.replyTo().tell(notAMember());
      return roster.isEmpty() ? endIfEmpty() : this;
    }
    PresentationReply refused = refusePresenting(p);
    m.replyTo().tell(refused != null ? refused : presentationReply(null, null, null));
    return this;
  }

  private Behavior<Command> onCheckDocument(CheckDocument m) {
    Presentation now = slideshow.current();
    if (now == null || !now.documentId().equals(m.documentId())) {
      m.holder().tell(new DocumentDropped(roomId, m.documentId()));
    }
    return roster.isEmpty() ? endIfEmpty() : this;
  }

  private Behavior<Command> onStartPresentation(StartPresentation m) {
    Participant p = member(m.by(), m.sessionToken());
    if (p == null) {
      m.replyTo().tell(notAMember());
      return roster.isEmpty() ? endIfEmpty() : this;
    }
    PresentationReply refused = refusePresenting(p);
    if (refused != null) {
      m.replyTo().tell(refused);
      return this;
    }
    Slideshow.Outcome outcome = slideshow.start(p, m.documentId(), m.pageCount(), m.servedBy(), m.fetchKey(),
        m.holder());
    if (outcome instanceof Slideshow.Outcome.Refused r) {
      m.replyTo().tell(presentationReply(r.code(), r.message(), null));
      return this;
    }
    getContext().getLog().info("room {}: {} presents {} ({} pages)", roomId, p.id, m.documentId(), m.pageCount());
    presentationOutcome(outcome);
    m.replyTo().tell(presentationReply(null, null, null));
    return this;
  }

  private Behavior<Command> onControlPresentation(ControlPresentation m) {
    Participant by = roster.get(m.by());
    if (by == null) {
      return this;
    }
    // Stopping is always possible: a moderator may turn the feature off and the presenter still stop.
    if (m.action() != PresentationAction.STOP && !mayUse(by, FeaturePolicy.PRESENTATION)) {
      return this;
    }
    Participant target = m.target() == null ? null : roster.get(m.target());
    Slideshow.Outcome outcome = slideshow.control(by, m.action(), m.page(), m.pointer(), target,
        System.currentTimeMillis());
    if (outcome instanceof Slideshow.Outcome.Refused r) {
      return reject(by, r.code(), r.message());
    }
    return presentationOutcome(outcome);
  }

  /** Tells everyone what changed, the holder of a dropped document to delete it; schedules a held-back pointer. */
  private Behavior<Command> presentationOutcome(Slideshow.Outcome outcome) {
    switch (outcome) {
      case Slideshow.Outcome.Changed c -> {
        dropPresentation(c.dropped());
        broadcast(new PresentationChanged(c.now() == null ? null : c.now().view(roomId)));
        tellRecorder();
      }
      case Slideshow.Outcome.Deferred d ->
          getContext().scheduleOnce(Duration.ofMillis(d.delayMillis()), getContext().getSelf(),
              new FlushPointer());
      case Slideshow.Outcome.Unchanged u -> { }
      case Slideshow.Outcome.Refused r -> { }
    }
    return this;
  }

  /** The node that holds a document the room no longer presents deletes it. */
  private void dropPresentation(Presentation dropped) {
    if (dropped != null && dropped.holder() != null) {
      dropped.holder().tell(new DocumentDropped(roomId, dropped.documentId()));
      getContext().getLog().info("room {}: presentation {} stopped", roomId, dropped.documentId());
    }
  }

  private Behavior<Command> onDominantSpeaker(SetDominantSpeaker m) {
    String id = m.participantId();
    if (id != null && roster.get(id) == null) {
      return this;
    }
    if (!Objects.equals(id, dominantSpeaker)) {
      dominantSpeaker = id;
      broadcast(new DominantSpeakerChanged(id));
      if (id != null) {
        media.spoke(id);
        pushSources(); // last-N: the speaker's video reaches those who did not get it
      }
    }
    return this;
  }

  private Behavior<Command> onSetLastN(SetLastN m) {
    return carryOut(moderation.changeRoom(m.by()), a -> {
      if (m.lastN() < 0 || m.lastN() > RoomProtocol.MAX_LAST_N) {
        return reject(a.by(), "invalid", "lastN is 0.." + RoomProtocol.MAX_LAST_N + ".");
      }
      if (m.lastN() != media.lastN()) {
        media.setLastN(m.lastN());
        broadcast(new SettingsChanged(settings()));
        pushSources();
      }
      return this;
    });
  }

  private Behavior<Command> onSetReceiverConstraints(SetReceiverConstraints m) {
    Participant p = roster.get(m.participantId());
    if (p == null) {
      return this;
    }
    if (m.pinned().size() > RoomProtocol.MAX_LAST_N || m.lastN() < -1 || m.lastN() > RoomProtocol.MAX_LAST_N) {
      return reject(p, "invalid", "At most " + RoomProtocol.MAX_LAST_N + " pinned participants; lastN is -1.."
          + RoomProtocol.MAX_LAST_N + ".");
    }
    p.pinned = List.copyOf(m.pinned());
    p.receiverLastN = m.lastN();
    pushSources();
    return this;
  }

  private RoomInfo info() {
    return new RoomInfo(roomId, !roster.isEmpty() || reservedUntilMillis > 0, roster.size(),
        passcode != null || lobby.enabled());
  }

  // ---- the server API -------------------------------------------------------------------------------------------

  /** Someone is in the room, waits at its door, or it was created through the API and waits for its first. */
  private boolean inUse() {
    return !roster.isEmpty() || !lobby.isEmpty() || reservedUntilMillis > 0;
  }

  private Behavior<Command> answer(ActorRef<ServerAnswer> to, Outcome outcome, String message) {
    to.tell(new ServerReply(outcome, message));
    return endIfEmpty();
  }

  private Behavior<Command> noRoom(ActorRef<ServerAnswer> to) {
    return answer(to, Outcome.NO_ROOM, "No meeting " + roomId + " is going on.");
  }

  private Behavior<Command> onCreateRoom(CreateRoom m) {
    if (inUse()) {
      return answer(m.replyTo(), Outcome.EXISTS, "The room " + roomId + " already exists.");
    }
    RoomSetup setup = m.setup();
    String problem = setupProblem(setup);
    if (problem != null) {
      return answer(m.replyTo(), Outcome.INVALID, problem);
    }
    passcode = setup.passcode() == null || setup.passcode().isEmpty() ? null : Passcode.of(setup.passcode());
    lobby.setEnabled(setup.lobby()); // nobody waits yet: nobody to let in
    if (setup.maxParticipants() > 0) {
      maxParticipants = setup.maxParticipants();
    }
    if (setup.lastN() >= 0) {
      media.setLastN(setup.lastN());
    }
    if (setup.features() != null) {
      features.putAll(setup.features());
    }
    long timeout = setup.emptyTimeoutMillis() > 0 ? setup.emptyTimeoutMillis() : config.emptyTimeout().toMillis();
    reservedUntilMillis = System.currentTimeMillis() + timeout;
    admission.openByServer();
    created = true;
    webhooks.roomEvent(WebhookSender.Event.ROOM_CREATED, roomId, null);
    getContext().scheduleOnce(Duration.ofMillis(timeout), getContext().getSelf(), new ReservationOver());
    getContext().getLog().info("room {}: created through the server API, waiting {} ms for its first participant",
        roomId, timeout);
    m.replyTo().tell(new ServerReply(Outcome.DONE, null));
    return replicateMajority(this);
  }

  /** What is wrong with a server API room setup, or null. */
  private String setupProblem(RoomSetup s) {
    if (s.passcode() != null && s.passcode().length() > MAX_PASSCODE_LENGTH) {
      return "A passcode has at most " + MAX_PASSCODE_LENGTH + " characters.";
    }
    if (s.maxParticipants() < 0 || s.maxParticipants() > config.maxParticipants()) {
      return "maxParticipants is 1.." + config.maxParticipants() + " (lchat.room.max-participants).";
    }
    if (s.lastN() < -1 || s.lastN() > RoomProtocol.MAX_LAST_N) {
      return "lastN is 0.." + RoomProtocol.MAX_LAST_N + ".";
    }
    if (s.features() != null) {
      for (Map.Entry<String, Boolean> f : s.features().entrySet()) {
        Boolean allowed = config.features().get(f.getKey());
        if (allowed == null) {
          return "Unknown feature: " + f.getKey() + " (one of " + String.join(", ", config.features().keySet())
              + ").";
        }
        if (Boolean.TRUE.equals(f.getValue()) && !allowed) {
          return "This deployment does not offer " + f.getKey() + ".";
        }
      }
    }
    return null;
  }

  private Behavior<Command> onReservationOver() {
    if (reservedUntilMillis > 0 && reservedUntilMillis <= System.currentTimeMillis() && roster.isEmpty()
        && lobby.isEmpty()) {
      getContext().getLog().info("room {}: nobody came before its empty timeout; it ends", roomId);
      reservedUntilMillis = 0;
      endReason = "empty_timeout";
      return endIfEmpty();
    }
    return this;
  }

  private RoomDetails details() {
    List<MemberView> members = new ArrayList<>();
    for (Participant p : roster.all()) {
      members.add(p.memberView());
    }
    return new RoomDetails(roomId, inUse(), members, settings(), maxParticipants, lobby.entries().size(),
        reservedUntilMillis > 0);
  }

  /** The participant a server command names, or null after answering why not. */
  private Participant serverTarget(String id, ActorRef<ServerAnswer> replyTo) {
    if (!inUse()) {
      replyTo.tell(new ServerReply(Outcome.NO_ROOM, "No meeting " + roomId + " is going on."));
      return null;
    }
    Participant p = roster.get(id);
    if (p == null) {
      replyTo.tell(new ServerReply(Outcome.NO_PARTICIPANT, "No participant " + id + " in " + roomId + "."));
    }
    return p;
  }

  private Behavior<Command> onServerMute(ServerMute m) {
    Participant target = serverTarget(m.target(), m.replyTo());
    if (target == null) {
      return endIfEmpty();
    }
    target.mute(m.kind());
    target.client.tell(new MuteRequested(m.kind(), null));
    rosterChanged(null);
    m.replyTo().tell(new ServerReply(Outcome.DONE, null));
    return this;
  }

  private Behavior<Command> onServerRemove(ServerRemove m) {
    Participant target = serverTarget(m.target(), m.replyTo());
    if (target == null) {
      return endIfEmpty();
    }
    m.replyTo().tell(new ServerReply(Outcome.DONE, null));
    return removeParticipant(target, null);
  }

  private Behavior<Command> onServerGrantModerator(ServerGrantModerator m) {
    Participant target = serverTarget(m.target(), m.replyTo());
    if (target == null) {
      return endIfEmpty();
    }
    if (!Moderation.mayBeModerator(target)) {
      m.replyTo().tell(new ServerReply(Outcome.INVALID, "A viewer cannot be a moderator."));
      return this;
    }
    promote(target);
    m.replyTo().tell(new ServerReply(Outcome.DONE, null));
    return this;
  }

  private Behavior<Command> onSendData(SendData m) {
    if (m.to() == null) {
      if (roster.isEmpty()) {
        return noRoom(m.replyTo());
      }
      broadcast(new DataReceived(m.topic(), m.payload()));
    } else {
      Participant target = serverTarget(m.to(), m.replyTo());
      if (target == null) {
        return endIfEmpty();
      }
      target.client.tell(new DataReceived(m.topic(), m.payload()));
    }
    m.replyTo().tell(new ServerReply(Outcome.DONE, null));
    return this;
  }

  /** Ends the meeting for everyone: each participant is told and leaves, each waiter is refused. */
  private Behavior<Command> onEndRoom(EndRoom m) {
    if (!inUse()) {
      return noRoom(m.replyTo());
    }
    for (Waiter w : lobby.clear()) {
      unwatch(w.client());
      w.client().tell(new JoinRefused("room_ended", "The meeting was ended."));
    }
    for (Participant p : new ArrayList<>(roster.all())) {
      unwatch(p.client);
      p.client.tell(new RoomEnded("api"));
      roster.remove(p.id);
      media.remove(p.id);
      webhooks.participantEvent(WebhookSender.Event.PARTICIPANT_LEFT, roomId, p.id, p.displayName, p.role,
          p.subject(), "room_ended");
    }
    hands.clear();
    dropPresentation(slideshow.stop());
    reservedUntilMillis = 0;
    endReason = "api";
    getContext().getLog().info("room {}: ended through the server API", roomId);
    m.replyTo().tell(new ServerReply(Outcome.DONE, null));
    return endIfEmpty();
  }

  // ---- recording (egress) ---------------------------------------------------------------------------------------

  private Behavior<Command> onStartRecording(StartRecording m) {
    if (m.by() == null && !inUse()) {
      return noRoom(m.replyTo());
    }
    if (m.replaces() != null) {
      return onRecordingMoved(m);
    }
    Participant by = m.by() == null ? null : roster.get(m.by());
    ServerReply refused = recording.refuseStart(by, m.by() == null, features, m.needs());
    if (refused != null) {
      m.replyTo().tell(refused);
      return this;
    }
    Recording r = new Recording(m.egressId(), by == null ? null : by.displayName, System.currentTimeMillis(),
        m.recorder());
    recording.start(r);
    getContext().watchWith(m.recorder(), new RecorderGone(m.egressId()));
    m.replyTo().tell(new ServerReply(Outcome.DONE, null));
    getContext().getLog().info("room {}: recording {} started by {}", roomId, m.egressId(),
        by == null ? "the server API" : by.id);
    broadcast(new RecordingChanged(r.view(), null));
    tellRecorder();
    return this;
  }

  /**
   * Another egress continues the running one (its node drains): the new recorder takes its place at once and the
   * old one records on until the new one is live (or {@link #HAND_OVER_DUE}), then finalises its file, so nothing
   * of the meeting goes unrecorded; the recording as people see it (who started it, since when) goes on.
   */
  private Behavior<Command> onRecordingMoved(StartRecording m) {
    Recording old = recording.current();
    if (old == null || !old.egressId().equals(m.replaces())) {
      m.replyTo().tell(new ServerReply(Outcome.NO_PARTICIPANT, "The recording " + m.replaces() + " no longer runs."));
      return this;
    }
    Recording next = new Recording(m.egressId(), old.startedBy(), old.startedAtMillis(), m.recorder());
    recording.continueAs(next);
    getContext().unwatch(old.recorder());
    getContext().watchWith(m.recorder(), new RecorderGone(m.egressId()));
    getContext().scheduleOnce(HAND_OVER_DUE, getContext().getSelf(), new HandOverDue(old.egressId()));
    m.replyTo().tell(new ServerReply(Outcome.DONE, null));
    getContext().getLog().info("room {}: recording {} continues as {}", roomId, old.egressId(), m.egressId());
    broadcast(new RecordingChanged(next.view(), "moved"));
    tellRecorder();
    return this;
  }

  /** The replaced recorder stops once its successor records every track, or when the hand-over is due. */
  private Behavior<Command> stopReplaced(Recording old) {
    if (old != null) {
      old.recorder().tell(new RecorderStop("moved"));
      getContext().getLog().info("room {}: recording {} handed over", roomId, old.egressId());
    }
    return this;
  }

  private Behavior<Command> onStopRecording(StopRecording m) {
    ServerReply refused = recording.refuseStop(m.by() == null ? null : roster.get(m.by()), m.by() == null,
        m.egressId());
    if (refused != null) {
      m.replyTo().tell(refused);
      return this;
    }
    Recording r = recording.current();
    r.recorder().tell(new RecorderStop("stopped"));
    m.replyTo().tell(new ServerReply(Outcome.DONE, null));
    return recordingOver(r.egressId(), "stopped");
  }

  /** The recording is over (stopped, or its recorder ended or went away): everyone is told. */
  private Behavior<Command> recordingOver(String egressId, String reason) {
    Recording ended = recording.end(egressId);
    if (ended != null) {
      getContext().unwatch(ended.recorder());
      getContext().getLog().info("room {}: recording {} ended: {}", roomId, egressId, reason);
      broadcast(new RecordingChanged(null, reason));
    }
    return this;
  }

  /** The recorder, if one runs, hears the room's tracks and what it presents when they changed. */
  private void tellRecorder() {
    Recording r = recording.current();
    if (r == null) {
      return;
    }
    RecorderPresentation presented = recording.presentationNow(roomId, slideshow.current());
    if (presented != null) {
      r.recorder().tell(presented);
    }
    List<TrackInfo> tracks = new ArrayList<>();
    Map<String, String> names = new LinkedHashMap<>();
    for (Participant p : roster.all()) {
      tracks.addAll(media.published(p.id));
      names.put(p.id, p.displayName);
    }
    RecorderTracks now = recording.tracksNow(roomId, tracks, names);
    if (now != null) {
      r.recorder().tell(now);
    }
  }

  /** The meeting is over: its recording is finalised. */
  private void endRecording() {
    Recording r = recording.current();
    if (r != null) {
      r.recorder().tell(new RecorderStop("room_ended"));
      recordingOver(r.egressId(), "room_ended");
    }
  }

  // ---- media ----------------------------------------------------------------------------------------------------

  /** The room's forwarding changed: every router hears its receivers' sources, the recorder the tracks. */
  private void pushSources() {
    media.pushSources(roster.all());
    tellRecorder();
  }

  private Behavior<Command> onAttachMedia(AttachMedia m) {
    if (roster.get(m.participantId()) != null) {
      media.attach(m.participantId(), m.router());
      pushSources();
    }
    return this;
  }

  private Behavior<Command> onPublishTracks(PublishTracks m) {
    Participant p = roster.get(m.participantId());
    if (p == null) {
      return this;
    }
    if (p.isViewer() && !m.tracks().isEmpty()) {
      return reject(p, "forbidden", "Viewers receive only; join as a participant to publish.");
    }
    media.publish(p.id, m.tracks());
    pushSources();
    return this;
  }

  /** One participant's tracks, or (null) everyone's; {@code exists} false when nobody (or not that one) is in. */
  private TrackList trackList(String participantId) {
    if (participantId != null && roster.get(participantId) == null) {
      return new TrackList(false, dominantSpeaker, List.of());
    }
    return new TrackList(!roster.isEmpty(), dominantSpeaker, media.tracks(participantId, roster.all()));
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  private void watch(ActorRef<ClientEvent> client, String memberId) {
    memberByClient.put(client, memberId);
    getContext().watchWith(client, new Leave(memberId, client));
  }

  private void unwatch(ActorRef<ClientEvent> client) {
    memberByClient.remove(client);
    getContext().unwatch(client);
  }

  /** A room-wide flag (p2p: not a person's action, so no token narrows it). */
  private boolean feature(String flag) {
    return features.getOrDefault(flag, false);
  }

  /**
   * Whether {@code p} may use {@code feature}: the room's flag narrowed by its token's grants
   * ({@link FeaturePolicy}); if not, tells it why ({@code forbidden} or {@code not_granted}, naming the feature).
   * A recording start checks {@link FeaturePolicy#RECORDING} for its participant here.
   */
  private boolean mayUse(Participant p, String feature) {
    FeaturePolicy.Refusal refusal = FeaturePolicy.refusal(feature, features, p.grants());
    if (refusal == null) {
      return true;
    }
    p.client.tell(new CommandRejected(refusal.code(), refusal.message(), refusal.feature()));
    return false;
  }

  /** Whether the room forwards a participant's screen share to the others (the flag, and its token's grant). */
  private boolean mayShareScreen(String participantId) {
    Participant p = roster.get(participantId);
    return p != null && FeaturePolicy.refusal(FeaturePolicy.SCREENSHARE, features, p.grants()) == null;
  }

  /** Carries out a command {@link Moderation} allowed; a refusal goes back to whoever asked. */
  private Behavior<Command> carryOut(Ruling ruling, Function<Ruling.Allowed, Behavior<Command>> action) {
    return switch (ruling) {
      case Ruling.Allowed a -> action.apply(a);
      case Ruling.Refused r -> reject(r);
      case Ruling.Ignored i -> this;
    };
  }

  /** Makes {@code target} a moderator (if not yet): it learns its role and sees the lobby, everyone the roster. */
  private void promote(Participant target) {
    if (moderation.promote(target)) {
      target.client.tell(new RoleChanged(Role.MODERATOR));
      showLobbyTo(target);
      rosterChanged(null);
    }
  }

  private Behavior<Command> reject(Ruling.Refused r) {
    return reject(r.by(), r.code(), r.message());
  }

  private Behavior<Command> reject(Participant to, String code, String message) {
    to.client.tell(new CommandRejected(code, message));
    return this;
  }

  private void broadcast(ClientEvent event) {
    for (Participant p : roster.all()) {
      p.client.tell(event);
    }
  }

  private void broadcastExcept(Participant except, ClientEvent event) {
    for (Participant p : roster.all()) {
      if (p != except) {
        p.client.tell(event);
      }
    }
  }

  /** Someone who may admit people (just in, back, or promoted) sees who is waiting, if anyone is. */
  private void showLobbyTo(Participant p) {
    List<LobbyEntry> entries = lobby.entries();
    if (moderation.mayControl(p) && !entries.isEmpty()) {
      p.client.tell(new LobbyChanged(entries));
    }
  }

  private void tellLobbyToControllers() {
    LobbyChanged event = new LobbyChanged(lobby.entries());
    for (Participant p : roster.all()) {
      if (moderation.mayControl(p)) {
        p.client.tell(event);
      }
    }
  }

  private RoomSettings settings() {
    return new RoomSettings(passcode != null, lobby.enabled(), moderation.controllerMode(),
        new LinkedHashMap<>(features), media.lastN());
  }

  private RoomState state() {
    List<MemberState> members = new ArrayList<>();
    for (Participant p : roster.all()) {
      members.add(new MemberState(p.id, p.sessionToken, p.displayName, p.role, p.client, p.joinOrder, p.audioMuted,
          p.videoMuted, p.handRaised, media.router(p.id), new ArrayList<>(media.published(p.id)),
          new ArrayList<>(p.pinned), p.receiverLastN, p.identity));
    }
    return new RoomState(members, lobby.states(), admission.bannedTokens(), new ArrayList<>(hands),
        chat.history(), new LinkedHashMap<>(features), passcode == null ? null : passcode.salt(),
        passcode == null ? null : passcode.hash(), lobby.enabled(), moderation.controllerMode(), sharedVideo.state(),
        dominantSpeaker, created, roster.nextJoinOrder(), media.lastN(), new ArrayList<>(media.speakers()),
        admission.bannedSubjects(), admission.opened(), reservedUntilMillis, maxParticipants, recording.current(),
        slideshow.current(), pageSharing.current());
  }

  /**
   * Takes over from the previous incarnation. Participants keep their ids, roles and media; their sessions are
   * watched from here on. If people joined this incarnation first (a race with the handoff), both sets stay.
   */
  private void restore(RoomState s) {
    boolean fresh = roster.isEmpty() && lobby.isEmpty();
    if (fresh) {
      features.clear();
      features.putAll(s.features());
      passcode = s.passcodeSalt() == null ? null : Passcode.restore(s.passcodeSalt(), s.passcodeHash());
      lobby.setEnabled(s.lobbyEnabled()); // nobody waits yet: nobody to let in
      moderation.setControllerMode(s.controllerMode());
      sharedVideo.restore(s.sharedVideo());
      slideshow.restore(s.presentation());
      pageSharing.restore(s.sharedPage());
      dominantSpeaker = s.dominantSpeaker();
      chat.restore(s.chat());
      media.setLastN(s.lastN());
      media.restoreSpeakers(s.speakers());
      if (s.maxParticipants() > 0) {
        maxParticipants = s.maxParticipants();
      }
      if (s.recording() != null) {
        recording.start(s.recording());
        getContext().watchWith(s.recording().recorder(), new RecorderGone(s.recording().egressId()));
      }
      reservedUntilMillis = s.reservedUntilMillis();
      if (reservedUntilMillis > 0) {
        getContext().scheduleOnce(Duration.ofMillis(Math.max(0,
            reservedUntilMillis - System.currentTimeMillis())), getContext().getSelf(), new ReservationOver());
      }
    }
    created |= s.created();
    admission.restore(s.bannedTokens(), s.bannedSubjects(), s.opened());
    roster.continueJoinOrderFrom(s.nextJoinOrder());
    for (MemberState m : s.participants()) {
      Participant p = roster.restore(m);
      watch(p.client, p.id);
      if (m.router() != null) {
        media.attach(p.id, m.router());
        media.publish(p.id, m.tracks());
      }
    }
    for (String h : s.hands()) {
      if (roster.get(h) != null) {
        hands.add(h);
      }
    }
    for (WaiterState ws : s.lobby()) {
      Waiter w = lobby.restore(ws);
      watch(w.client(), w.lobbyId());
    }
    pushSources();
    getContext().getLog().info("room {}: taken over with {} participants", roomId, roster.size());
    if (!fresh) {
      rosterChanged(null);
    }
  }

  private RoomSnapshot snapshot() {
    return new RoomSnapshot(roomId, roster.views(), settings(), new ArrayList<>(hands), sharedVideo.state(),
        dominantSpeaker, chat.history(), recording.current() == null ? null : recording.current().view(),
        presentationView(), pageSharing.current());
  }
}
