package uk.co.lchat.room;

import java.net.URI;
import java.text.Normalizer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

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
import uk.co.lchat.room.RoomProtocol.*;

/**
 * One meeting: a Cluster Sharding entity that lives while anyone is in the room and forgets everything when the last
 * person leaves. It is the single owner of the roster, roles, passcode, lobby, chat, hands, mute state, feature
 * flags, dominant speaker and shared-video state, and the only place where their rules are enforced.
 */
public final class RoomActor extends AbstractBehavior<Command> {
  /** Peer messages carry SDP and candidates: the signaling frame limit (64 KiB) bounds them anyway. */
  static final int MAX_RELAY_CHARS = 65536;

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "Room");

  private static final int MAX_PASSCODE_LENGTH = 128;
  private static final int MAX_URL_LENGTH = 2048;

  /** Registers the Room entity with Cluster Sharding on this node (call once per node at boot). */
  public static void initSharding(ActorSystem<?> system, RoomConfig config, RoomCounters counters) {
    WebhookSender webhooks = new WebhookSender(config.webhooks());
    if (config.replication().enabled()) {
      // The replicator starts with the extension: on every node at boot, so rooms elsewhere can read from it.
      DistributedData.get(system);
    }
    ClusterSharding.get(system).init(
        Entity.of(ENTITY_KEY, ctx -> sharded(ctx.getEntityId(), config, webhooks, ctx.getShard(),
                state -> handOver(system, ctx.getEntityId(), new RestoreRoom(state)), counters))
            .withStopMessage(new StopRoom()));
  }

  /**
   * Sends a handed-off room's state to its next incarnation through another node's shard region: this node's own
   * region is shutting down and would drop what it buffers for the room's shard, whose new home is not known yet.
   */
  private static void handOver(ActorSystem<?> system, String roomId, RestoreRoom restore) {
    org.apache.pekko.cluster.typed.Cluster cluster = org.apache.pekko.cluster.typed.Cluster.get(system);
    org.apache.pekko.actor.Address self = cluster.selfMember().address();
    for (org.apache.pekko.cluster.Member m : cluster.state().getMembers()) {
      if (m.status() == org.apache.pekko.cluster.MemberStatus.up() && !m.address().equals(self)) {
        org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system)
            .actorSelection(m.address() + "/system/sharding/" + ENTITY_KEY.name())
            .tell(new org.apache.pekko.cluster.sharding.typed.ShardingEnvelope<>(roomId, restore),
                org.apache.pekko.actor.ActorRef.noSender());
        return;
      }
    }
    ClusterSharding.get(system).entityRefFor(ENTITY_KEY, roomId).tell(restore);
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
                                         java.util.function.Consumer<RoomState> successor) {
    return create(roomId, config, webhooks, shard, successor, new RoomCounters());
  }

  public static Behavior<Command> create(String roomId, RoomConfig config, WebhookSender webhooks,
                                         ActorRef<ClusterSharding.ShardCommand> shard,
                                         java.util.function.Consumer<RoomState> successor, RoomCounters counters) {
    return Behaviors.setup(ctx -> new RoomActor(ctx, roomId, config, webhooks, shard, successor, counters, null,
        null));
  }

  /** A room as Cluster Sharding runs it: with {@code lchat.room.replication}, its state is replicated. */
  private static Behavior<Command> sharded(String roomId, RoomConfig config, WebhookSender webhooks,
                                           ActorRef<ClusterSharding.ShardCommand> shard,
                                           java.util.function.Consumer<RoomState> successor, RoomCounters counters) {
    if (!config.replication().enabled()) {
      return create(roomId, config, webhooks, shard, successor, counters);
    }
    // Under sharding, a new incarnation first reads what a majority of nodes hold of the room (it may be coming
    // back after its node crashed), keeping what arrives meanwhile in its stash.
    return Behaviors.withStash(RECOVERY_STASH, stash ->
        DistributedData.<Command, LWWMap<String, RoomState>>withReplicatorMessageAdapter(replicator ->
            Behaviors.setup(ctx -> new RoomActor(ctx, roomId, config, webhooks, shard, successor, counters,
                new RoomReplica(roomId, replicator, DistributedData.get(ctx.getSystem()).selfUniqueAddress(),
                    config.replication()), stash).recovering())));
  }

  /** Commands kept while a room reads its state back; more are dropped (their senders' asks time out). */
  private static final int RECOVERY_STASH = 10_000;

  /** {@code forHost}: waiting for a token holder to open the room, not for a moderator ({@link Admission}). */
  private record Waiter(String lobbyId, String sessionToken, String displayName, boolean viewer,
                        ActorRef<ClientEvent> client, Identity identity, boolean forHost) {}

  private final String roomId;
  private final RoomConfig config;
  private final WebhookSender webhooks;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final java.util.function.Consumer<RoomState> successor;

  private final Roster roster = new Roster();
  private final Map<String, Waiter> lobby = new LinkedHashMap<>();
  private final Map<ActorRef<ClientEvent>, String> memberByClient = new HashMap<>();
  /** Clients whose passcode is being checked off the room's thread. */
  private final Set<ActorRef<ClientEvent>> checking = new HashSet<>();
  private final PasscodeGuard guard;
  private final RoomCounters counters;
  private final Executor hashing;
  /** Where the room's state is replicated; null outside sharding (tests) or with replication off. */
  private final RoomReplica replica;
  private final StashBuffer<Command> stash;
  private boolean recoveryFailed;
  private final Admission admission;
  /** The room's own participant limit (the server API may set one under the deployment's). */
  private int maxParticipants;
  /** A room created through the server API waits for its first participant until then; 0: not waiting. */
  private long reservedUntilMillis;
  /** Why the meeting ends, for the room.ended webhook. */
  private String endReason = "empty";
  private final LinkedHashSet<String> hands = new LinkedHashSet<>();
  private final ArrayDeque<ChatMessage> chatHistory = new ArrayDeque<>();
  private final Map<String, Boolean> features;
  private Passcode passcode;
  private boolean lobbyEnabled;
  private boolean controllerMode;
  private SharedVideoState sharedVideo = new SharedVideoState(null, false, 0, 0, null);
  /** The running recording (egress), or null; replicated, so a room that comes back knows it is being recorded. */
  private Recording recording;
  private String dominantSpeaker;
  private final RoomMedia media;
  private boolean created;
  private boolean closing;
  private boolean rosterFlushScheduled;

  private RoomActor(ActorContext<Command> context, String roomId, RoomConfig config, WebhookSender webhooks,
                    ActorRef<ClusterSharding.ShardCommand> shard, java.util.function.Consumer<RoomState> successor,
                    RoomCounters counters, RoomReplica replica, StashBuffer<Command> stash) {
    super(context);
    this.replica = replica;
    this.stash = stash;
    this.guard = new PasscodeGuard(config.passcodeGuard());
    this.counters = counters;
    this.hashing = context.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    this.successor = successor;
    this.roomId = roomId;
    this.config = config;
    this.media = new RoomMedia(config.lastN());
    this.webhooks = webhooks;
    this.shard = shard;
    this.features = new LinkedHashMap<>(config.features());
    this.controllerMode = config.controllerMode();
    this.admission = new Admission(config.authMode());
    this.maxParticipants = config.maxParticipants();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Join.class, this::onJoin)
        .onMessage(PasscodeChecked.class, this::onPasscodeChecked)
        .onMessage(Leave.class, m -> onLeave(m.participantId(), m.from()))
        .onMessage(SendChat.class, this::onChat)
        .onMessage(FlushRoster.class, m -> {
          rosterFlushScheduled = false;
          broadcast(new RosterChanged(roster.views()));
          return this;
        })
        .onMessage(RelayToPeer.class, this::onRelay)
        .onMessage(SetOwnMute.class, this::onSetOwnMute)
        .onMessage(RequestMute.class, this::onRequestMute)
        .onMessage(Remove.class, m -> replicateMajority(onRemove(m)))
        .onMessage(CreateRoom.class, this::onCreateRoom)
        .onMessage(GetDetails.class, this::onGetDetails)
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
        .onMessage(LowerHand.class, this::onLowerHand)
        .onMessage(SetControllerMode.class, m -> replicateMajority(onSetControllerMode(m)))
        .onMessage(SetFeature.class, this::onSetFeature)
        .onMessage(SetLastN.class, this::onSetLastN)
        .onMessage(SetReceiverConstraints.class, this::onSetReceiverConstraints)
        .onMessage(ControlSharedVideo.class, this::onSharedVideo)
        .onMessage(SetDominantSpeaker.class, this::onDominantSpeaker)
        .onMessage(GetInfo.class, this::onGetInfo)
        .onMessage(AttachMedia.class, this::onAttachMedia)
        .onMessage(PublishTracks.class, this::onPublishTracks)
        .onMessage(StartRecording.class, m -> replicateMajority(onStartRecording(m)))
        .onMessage(StopRecording.class, m -> replicateMajority(onStopRecording(m)))
        .onMessage(RecordingEnded.class, m -> replicateMajority(recordingOver(m.egressId(), m.reason())))
        .onMessage(RecorderGone.class, m -> replicateMajority(recordingOver(m.egressId(), "egress_gone")))
        .onMessage(GetTracks.class, this::onGetTracks)
        .onMessage(StopRoom.class, m -> stop())
        .onMessage(RestoreRoom.class, m -> restore(m.state()))
        .onMessage(ReplicaTick.class, m -> replicate())
        .onMessage(ReplicaWritten.class, this::onReplicaWritten)
        .onMessage(ReplicaRead.class, m -> this)
        .build();
  }

  // ---- replication (RoomReplica) --------------------------------------------------------------------------------

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
      getContext().scheduleOnce(java.time.Duration.ofSeconds(1), getContext().getSelf(), new ReplicaTick());
      return Behaviors.same();
    }
    getContext().scheduleOnce(replica.interval(), getContext().getSelf(), new ReplicaTick());
    Behavior<Command> next = this;
    if (RoomReplica.holdsAMeeting(r.state())) {
      getContext().getLog().info("room {}: recovered from the replica with {} participants", roomId,
          r.state().participants().size());
      next = restore(r.state());
    }
    return stash.unstashAll(next);
  }

  /** The routine write: the state, if it changed, at most once per interval. */
  private Behavior<Command> replicate() {
    if (!closing) {
      replica.writeIfChanged(state());
      getContext().scheduleOnce(replica.interval(), getContext().getSelf(), new ReplicaTick());
    }
    return this;
  }

  /** After a change to who may get in: the state goes to a majority of nodes at once. */
  private Behavior<Command> replicateMajority(Behavior<Command> next) {
    if (replica != null && !closing) {
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
    if (closing) {
      client.tell(new JoinRefused("retry", "The room is closing; join again."));
      return this;
    }
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
    String name = validName(identity != null && identity.displayName() != null ? identity.displayName()
        : join.displayName());
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
    if (closing) {
      guard.abandoned(join.clientAddress());
      join.client().tell(new JoinRefused("retry", "The room is closing; join again."));
      return this;
    }
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
    return switch (admission.entry(join.identity(), lobbyEnabled, !roster.isEmpty())) {
      case WAIT_FOR_HOST -> waitInLobby(join, name, true);
      case LOBBY -> waitInLobby(join, name, false);
      case ENTER -> enter(join.sessionToken(), name, join.viewer(), join.client(), join.identity());
    };
  }

  private Behavior<Command> waitInLobby(Join join, String name, boolean forHost) {
    String lobbyId = Roster.randomId();
    lobby.put(lobbyId, new Waiter(lobbyId, join.sessionToken(), name, join.viewer(), join.client(), join.identity(),
        forHost));
    watch(join.client(), lobbyId);
    join.client().tell(new LobbyWaiting(lobbyId, forHost));
    if (!forHost) {
      tellLobbyToControllers();
    }
    return this;
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
    client.tell(new Joined(p.id, role, snapshot(), media.routersInUse(), identity == null ? null
        : identity.grants()));
    if (mayControl(p) && !lobbyEntries().isEmpty()) {
      client.tell(new LobbyChanged(lobbyEntries()));
    }
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
    List<Waiter> forHost = lobby.values().stream().filter(Waiter::forHost).toList();
    for (Waiter w : forHost) {
      if (lobbyEnabled) {
        lobby.put(w.lobbyId(), new Waiter(w.lobbyId(), w.sessionToken(), w.displayName(), w.viewer(), w.client(),
            w.identity(), false));
        w.client().tell(new LobbyWaiting(w.lobbyId(), false));
      } else {
        lobby.remove(w.lobbyId());
        unwatch(w.client());
        enter(w.sessionToken(), w.displayName(), w.viewer(), w.client(), w.identity());
      }
    }
    if (lobbyEnabled && !forHost.isEmpty()) {
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
    client.tell(new Resumed(p.id, p.role, snapshot(), media.router(p.id)));
    if (mayControl(p) && !lobbyEntries().isEmpty()) {
      client.tell(new LobbyChanged(lobbyEntries()));
    }
    getContext().getLog().info("room {}: {} resumed over a new connection", roomId, p.id);
    return this;
  }

  private Behavior<Command> onLeave(String id, ActorRef<ClientEvent> from) {
    if (from != null && !from.equals(clientOf(id))) {
      getContext().getLog().debug("room {}: ignored a leave for {} from a connection it no longer uses", roomId, id);
      return this;
    }
    return onLeave(id);
  }

  private ActorRef<ClientEvent> clientOf(String id) {
    Waiter waiter = lobby.get(id);
    if (waiter != null) {
      return waiter.client();
    }
    Participant p = roster.get(id);
    return p == null ? null : p.client;
  }

  private Behavior<Command> onLeave(String id) {
    return leave(id, "left");
  }

  /** {@code reason}, for the participant.left webhook: {@code left} or {@code removed}. */
  private Behavior<Command> leave(String id, String reason) {
    Waiter waiter = lobby.remove(id);
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
    media.pushSources(roster.all());
    tellRecorder();
    boolean handsChanged = hands.remove(p.id);
    // With tokens, moderators come from tokens (and the API): a guest is never promoted for being the earliest.
    Participant promoted = admission.promotesWhenLeaderless() ? roster.promoteIfLeaderless() : null;
    if (promoted != null) {
      promoted.client.tell(new RoleChanged(Role.MODERATOR));
      if (!lobbyEntries().isEmpty()) {
        promoted.client.tell(new LobbyChanged(lobbyEntries()));
      }
    }
    webhooks.participantEvent(WebhookSender.Event.PARTICIPANT_LEFT, roomId, p.id, p.displayName, p.role,
        p.subject(), reason);
    getContext().getLog().info("room {}: {} left ({} in room)", roomId, p.id, roster.size());
    if (roster.isEmpty()) {
      // Nobody is left to let the lobby in: the meeting is over for them too.
      for (Waiter w : lobby.values()) {
        unwatch(w.client());
        w.client().tell(new JoinRefused("denied", "The meeting has ended."));
      }
      lobby.clear();
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
    Participant by = roster.get(m.by());
    Participant target = controllableTarget(by, m.target());
    if (target == null) {
      return this;
    }
    if (target == by) {
      by.client.tell(new CommandRejected("invalid", "Leave the meeting instead of removing yourself."));
      return this;
    }
    return removeParticipant(target, by.id);
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
    unwatch(w.client());
    tellLobbyToControllers();
    return enter(w.sessionToken(), w.displayName(), w.viewer(), w.client(), w.identity());
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

  private Waiter lobbyEntryFor(String byId, String lobbyId) {
    Participant by = roster.get(byId);
    if (by == null) {
      return null;
    }
    if (!mayControl(by)) {
      by.client.tell(new CommandRejected("forbidden", "Only a moderator can admit or deny."));
      return null;
    }
    Waiter w = lobby.get(lobbyId);
    if (w == null || w.forHost()) {
      by.client.tell(new CommandRejected("not_found", "Nobody with that id is waiting."));
      return null;
    }
    lobby.remove(lobbyId);
    return w;
  }

  private Behavior<Command> onSetLobby(SetLobby m) {
    Participant by = moderator(m.by());
    if (by == null || lobbyEnabled == m.enabled()) {
      return this;
    }
    lobbyEnabled = m.enabled();
    broadcast(new SettingsChanged(settings()));
    if (!lobbyEnabled) {
      // Turning the lobby off opens the door for everyone already waiting (for a moderator, not for the host).
      List<Waiter> waiting = lobby.values().stream().filter(w -> !w.forHost()).toList();
      waiting.forEach(w -> lobby.remove(w.lobbyId()));
      tellLobbyToControllers();
      for (Waiter w : waiting) {
        unwatch(w.client());
        enter(w.sessionToken(), w.displayName(), w.viewer(), w.client(), w.identity());
      }
    }
    return this;
  }

  // ---- chat, mute, roles, hands ---------------------------------------------------------------------------------

  /**
   * Tells everyone (but {@code except}, who has it in its snapshot) the roster: at once in a small room, batched in a
   * large one, where the next timer tick sends one roster for all the changes since.
   */
  private void rosterChanged(Participant except) {
    if (roster.size() <= config.rosterBatchAbove()) {
      if (except == null) {
        broadcast(new RosterChanged(roster.views()));
      } else {
        broadcastExcept(except, new RosterChanged(roster.views()));
      }
      return;
    }
    if (!rosterFlushScheduled) {
      rosterFlushScheduled = true;
      // Each roster carries everyone, so the bigger the room the rarer it goes: the interval grows with the size.
      long factor = Math.max(1, roster.size() / Math.max(1, config.rosterBatchAbove()));
      getContext().scheduleOnce(config.rosterBatchInterval().multipliedBy(factor), getContext().getSelf(),
          new FlushRoster());
    }
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
    Participant to = roster.get(m.to());
    if (to == null) {
      return reject(from, "not_found", "That participant is not in the meeting.");
    }
    if (to == from || m.payload() == null || m.payload().length() > MAX_RELAY_CHARS) {
      return reject(from, "invalid", "A peer message goes to someone else and holds at most "
          + MAX_RELAY_CHARS + " characters.");
    }
    to.client.tell(new PeerRelayed(from.id, m.payload()));
    return this;
  }

  private Behavior<Command> onChat(SendChat m) {
    Participant from = roster.get(m.from());
    if (from == null) {
      return this;
    }
    if (!feature("chat")) {
      return reject(from, "forbidden", "Chat is turned off in this meeting.");
    }
    String text = m.text();
    if (text == null || text.isBlank()) {
      return reject(from, "invalid", "A chat message needs some text.");
    }
    if (text.length() > config.maxChatLength()) {
      return reject(from, "too_large", "Chat messages are limited to " + config.maxChatLength() + " characters.");
    }
    if (m.to() == null) {
      ChatMessage msg = new ChatMessage(from.id, from.displayName, null, text, System.currentTimeMillis());
      if (config.chatHistory() > 0) {
        if (chatHistory.size() == config.chatHistory()) {
          chatHistory.removeFirst();
        }
        chatHistory.addLast(msg);
      }
      broadcast(new ChatDelivered(msg));
      return this;
    }
    if (!feature("privateChat")) {
      return reject(from, "forbidden", "Private chat is turned off in this meeting.");
    }
    Participant to = roster.get(m.to());
    if (to == null) {
      return reject(from, "not_found", "That participant is not in the meeting.");
    }
    if (to == from) {
      return reject(from, "invalid", "You cannot send a private message to yourself.");
    }
    ChatDelivered delivered = new ChatDelivered(
        new ChatMessage(from.id, from.displayName, to.id, text, System.currentTimeMillis()));
    from.client.tell(delivered);
    to.client.tell(delivered);
    return this;
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

  private Behavior<Command> onRequestMute(RequestMute m) {
    Participant by = roster.get(m.by());
    Participant target = controllableTarget(by, m.target());
    if (target == null) {
      return this;
    }
    if (m.kind() == null) {
      return reject(by, "invalid", "Say which media to mute: audio or video.");
    }
    // The room records the mute at once; only the participant can unmute, by its own SetOwnMute.
    if (m.kind() == MediaKind.AUDIO) {
      target.audioMuted = true;
    } else {
      target.videoMuted = true;
    }
    target.client.tell(new MuteRequested(m.kind(), by.id));
    rosterChanged(null);
    return this;
  }

  private Behavior<Command> onGrantModerator(GrantModerator m) {
    Participant by = moderator(m.by());
    if (by == null) {
      return this;
    }
    Participant target = roster.get(m.target());
    if (target == null) {
      return reject(by, "not_found", "That participant is not in the meeting.");
    }
    if (target.isViewer()) {
      return reject(by, "invalid", "A viewer cannot be a moderator.");
    }
    if (target.role != Role.MODERATOR) {
      target.role = Role.MODERATOR;
      target.client.tell(new RoleChanged(Role.MODERATOR));
      if (!lobbyEntries().isEmpty()) {
        target.client.tell(new LobbyChanged(lobbyEntries()));
      }
      rosterChanged(null);
    }
    return this;
  }

  private Behavior<Command> setHand(Participant p, boolean raised) {
    if (p == null) {
      return this;
    }
    if (raised && !feature("raiseHand")) {
      return reject(p, "forbidden", "Raising hands is turned off in this meeting.");
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

  private Behavior<Command> onLowerHand(LowerHand m) {
    Participant by = roster.get(m.by());
    if (by != null && by.id.equals(m.target())) {
      return setHand(by, false);
    }
    return setHand(controllableTarget(by, m.target()), false);
  }

  // ---- settings -------------------------------------------------------------------------------------------------

  private Behavior<Command> onSetPasscode(SetPasscode m) {
    Participant by = moderator(m.by());
    if (by == null) {
      return this;
    }
    String code = m.passcode();
    if (code != null && code.length() > MAX_PASSCODE_LENGTH) {
      return reject(by, "invalid", "A passcode has at most " + MAX_PASSCODE_LENGTH + " characters.");
    }
    passcode = code == null || code.isEmpty() ? null : Passcode.of(code);
    broadcast(new SettingsChanged(settings()));
    return this;
  }

  private Behavior<Command> onSetControllerMode(SetControllerMode m) {
    Participant by = moderator(m.by());
    if (by != null && controllerMode != m.enabled()) {
      controllerMode = m.enabled();
      broadcast(new SettingsChanged(settings()));
      tellLobbyToControllers();
    }
    return this;
  }

  private Behavior<Command> onSetFeature(SetFeature m) {
    Participant by = moderator(m.by());
    if (by == null) {
      return this;
    }
    Boolean allowed = config.features().get(m.flag());
    if (allowed == null) {
      return reject(by, "invalid", "Unknown feature: " + m.flag());
    }
    if (m.enabled() && !allowed) {
      return reject(by, "forbidden", "This deployment does not offer " + m.flag() + ".");
    }
    if (features.get(m.flag()) != m.enabled()) {
      features.put(m.flag(), m.enabled());
      broadcast(new SettingsChanged(settings()));
      if (m.flag().equals("sharedVideo") && !m.enabled() && sharedVideo.url() != null) {
        setSharedVideo(new SharedVideoState(null, false, 0, System.currentTimeMillis(), null));
      }
    }
    return this;
  }

  private Behavior<Command> onSharedVideo(ControlSharedVideo m) {
    Participant by = roster.get(m.by());
    if (by == null) {
      return this;
    }
    if (!feature("sharedVideo")) {
      return reject(by, "forbidden", "Video sharing is turned off in this meeting.");
    }
    if (m.action() == null) {
      return reject(by, "invalid", "Say what to do with the shared video.");
    }
    long now = System.currentTimeMillis();
    boolean controls = by.role == Role.MODERATOR || by.id.equals(sharedVideo.controlledBy());
    if (m.action() == SharedVideoAction.START) {
      if (!isWebUrl(m.url())) {
        return reject(by, "invalid", "A shared video needs an http or https URL.");
      }
      if (!isAllowedVideoUrl(m.url())) {
        return reject(by, "forbidden", "Videos can be shared from " + String.join(", ", config.sharedVideoHosts())
            + " only.");
      }
      if (sharedVideo.url() != null && !controls) {
        return reject(by, "forbidden", "Someone else is sharing a video.");
      }
      setSharedVideo(new SharedVideoState(m.url(), true, 0, now, by.id));
      return this;
    }
    if (sharedVideo.url() == null) {
      return reject(by, "invalid", "No video is being shared.");
    }
    if (!controls) {
      return reject(by, "forbidden", "Only the person who shared the video or a moderator controls it.");
    }
    double position = m.positionSeconds();
    if (m.action() != SharedVideoAction.STOP && !(Double.isFinite(position) && position >= 0)) {
      return reject(by, "invalid", "A position is a number of seconds, zero or more.");
    }
    String controller = sharedVideo.controlledBy();
    switch (m.action()) {
      case PLAY -> setSharedVideo(new SharedVideoState(sharedVideo.url(), true, position, now, controller));
      case PAUSE -> setSharedVideo(new SharedVideoState(sharedVideo.url(), false, position, now, controller));
      case SEEK -> setSharedVideo(
          new SharedVideoState(sharedVideo.url(), sharedVideo.playing(), position, now, controller));
      case STOP -> setSharedVideo(new SharedVideoState(null, false, 0, now, null));
      default -> throw new IllegalStateException("START is handled above");
    }
    return this;
  }

  private void setSharedVideo(SharedVideoState state) {
    sharedVideo = state;
    broadcast(new SharedVideoChanged(state));
  }

  private Behavior<Command> onDominantSpeaker(SetDominantSpeaker m) {
    String id = m.participantId();
    if (id != null && roster.get(id) == null) {
      return this;
    }
    if (!java.util.Objects.equals(id, dominantSpeaker)) {
      dominantSpeaker = id;
      broadcast(new DominantSpeakerChanged(id));
      if (id != null) {
        media.spoke(id);
        media.pushSources(roster.all()); // last-N: the speaker's video reaches those who did not get it
        tellRecorder();
      }
    }
    return this;
  }

  private Behavior<Command> onSetLastN(SetLastN m) {
    Participant by = moderator(m.by());
    if (by == null) {
      return this;
    }
    if (m.lastN() < 0 || m.lastN() > RoomProtocol.MAX_LAST_N) {
      return reject(by, "invalid", "lastN is 0.." + RoomProtocol.MAX_LAST_N + ".");
    }
    if (m.lastN() != media.lastN()) {
      media.setLastN(m.lastN());
      broadcast(new SettingsChanged(settings()));
      media.pushSources(roster.all());
      tellRecorder();
    }
    return this;
  }

  private Behavior<Command> onSetReceiverConstraints(SetReceiverConstraints m) {
    Participant p = roster.get(m.participantId());
    if (p == null) {
      return this;
    }
    if (m.pinned().size() > RoomProtocol.MAX_LAST_N || m.lastN() < -1 || m.lastN() > RoomProtocol.MAX_LAST_N) {
      return reject(p, "invalid", "At most " + RoomProtocol.MAX_LAST_N + " pinned participants; lastN is -1.." + RoomProtocol.MAX_LAST_N + ".");
    }
    p.pinned = List.copyOf(m.pinned());
    p.receiverLastN = m.lastN();
    media.pushSources(roster.all());
    tellRecorder();
    return this;
  }

  private Behavior<Command> onGetInfo(GetInfo m) {
    m.replyTo().tell(new RoomInfo(roomId, !roster.isEmpty() || reservedUntilMillis > 0, roster.size(),
        passcode != null || lobbyEnabled));
    return endIfEmpty();
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
    if (inUse() || closing) {
      return answer(m.replyTo(), Outcome.EXISTS, closing ? "The room " + roomId + " is closing; try again."
          : "The room " + roomId + " already exists.");
    }
    RoomSetup setup = m.setup();
    String problem = setupProblem(setup);
    if (problem != null) {
      return answer(m.replyTo(), Outcome.INVALID, problem);
    }
    passcode = setup.passcode() == null || setup.passcode().isEmpty() ? null : Passcode.of(setup.passcode());
    lobbyEnabled = setup.lobby();
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

  private Behavior<Command> onGetDetails(GetDetails m) {
    List<MemberView> members = new ArrayList<>();
    for (Participant p : roster.all()) {
      members.add(p.memberView());
    }
    m.replyTo().tell(new RoomDetails(roomId, inUse(), members, settings(), maxParticipants, lobbyEntries().size(),
        reservedUntilMillis > 0));
    return endIfEmpty();
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
    if (m.kind() == MediaKind.AUDIO) {
      target.audioMuted = true;
    } else {
      target.videoMuted = true;
    }
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
    if (target.isViewer()) {
      m.replyTo().tell(new ServerReply(Outcome.INVALID, "A viewer cannot be a moderator."));
      return this;
    }
    if (target.role != Role.MODERATOR) {
      target.role = Role.MODERATOR;
      target.client.tell(new RoleChanged(Role.MODERATOR));
      if (!lobbyEntries().isEmpty()) {
        target.client.tell(new LobbyChanged(lobbyEntries()));
      }
      rosterChanged(null);
    }
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
    for (Waiter w : lobby.values()) {
      unwatch(w.client());
      w.client().tell(new JoinRefused("room_ended", "The meeting was ended."));
    }
    lobby.clear();
    for (Participant p : new ArrayList<>(roster.all())) {
      unwatch(p.client);
      p.client.tell(new RoomEnded("api"));
      roster.remove(p.id);
      media.remove(p.id);
      webhooks.participantEvent(WebhookSender.Event.PARTICIPANT_LEFT, roomId, p.id, p.displayName, p.role,
          p.subject(), "room_ended");
    }
    hands.clear();
    endRecording();
    reservedUntilMillis = 0;
    endReason = "api";
    getContext().getLog().info("room {}: ended through the server API", roomId);
    m.replyTo().tell(new ServerReply(Outcome.DONE, null));
    return endIfEmpty();
  }

  // ---- recording (egress) ---------------------------------------------------------------------------------------

  private Behavior<Command> onStartRecording(StartRecording m) {
    Participant by = null;
    if (m.by() != null) {
      by = roster.get(m.by());
      if (by == null || by.role != Role.MODERATOR) {
        m.replyTo().tell(new ServerReply(Outcome.INVALID, "Only a moderator can start a recording."));
        return this;
      }
    } else if (!inUse()) {
      return noRoom(m.replyTo());
    }
    if (!Boolean.TRUE.equals(features.get("recording"))) {
      m.replyTo().tell(new ServerReply(Outcome.INVALID, "Recording is off in this room (feature recording)."));
      return this;
    }
    if (recording != null) {
      m.replyTo().tell(new ServerReply(Outcome.EXISTS, "Already recording: " + recording.egressId()));
      return this;
    }
    recording = new Recording(m.egressId(), by == null ? null : by.displayName, System.currentTimeMillis(),
        m.recorder());
    getContext().watchWith(m.recorder(), new RecorderGone(m.egressId()));
    m.replyTo().tell(new ServerReply(Outcome.DONE, null));
    getContext().getLog().info("room {}: recording {} started by {}", roomId, m.egressId(),
        by == null ? "the server API" : by.id);
    broadcast(new RecordingChanged(recording.view(), null));
    tellRecorder();
    return this;
  }

  private Behavior<Command> onStopRecording(StopRecording m) {
    if (m.by() != null) {
      Participant by = roster.get(m.by());
      if (by == null || by.role != Role.MODERATOR) {
        m.replyTo().tell(new ServerReply(Outcome.INVALID, "Only a moderator can stop a recording."));
        return this;
      }
    }
    if (recording == null || (m.egressId() != null && !recording.egressId().equals(m.egressId()))) {
      m.replyTo().tell(new ServerReply(Outcome.NO_PARTICIPANT, "No such recording in this room."));
      return this;
    }
    recording.recorder().tell(new RecorderStop("stopped"));
    m.replyTo().tell(new ServerReply(Outcome.DONE, null));
    return recordingOver(recording.egressId(), "stopped");
  }

  /** The recording is over (stopped, or its recorder ended or went away): everyone is told. */
  private Behavior<Command> recordingOver(String egressId, String reason) {
    if (recording == null || !recording.egressId().equals(egressId)) {
      return this;
    }
    getContext().unwatch(recording.recorder());
    recording = null;
    getContext().getLog().info("room {}: recording {} ended: {}", roomId, egressId, reason);
    broadcast(new RecordingChanged(null, reason));
    return this;
  }

  /** The recorder hears every track of the room whenever the room's forwarding changes. */
  private void tellRecorder() {
    if (recording == null) {
      return;
    }
    List<TrackInfo> tracks = new ArrayList<>();
    Map<String, String> names = new LinkedHashMap<>();
    for (Participant p : roster.all()) {
      tracks.addAll(media.published(p.id));
      names.put(p.id, p.displayName);
    }
    recording.recorder().tell(new RecorderTracks(roomId, tracks, names));
  }

  /** The room ends: its recording is finalised. */
  private void endRecording() {
    if (recording != null) {
      recording.recorder().tell(new RecorderStop("room_ended"));
      getContext().unwatch(recording.recorder());
      recording = null;
    }
  }

  // ---- life cycle -----------------------------------------------------------------------------------------------

  /** An empty room asks its shard to passivate it; the shard's StopRoom then ends it. */
  // ---- media ----------------------------------------------------------------------------------------------------

  private Behavior<Command> onAttachMedia(AttachMedia m) {
    if (roster.get(m.participantId()) != null) {
      media.attach(m.participantId(), m.router());
      media.pushSources(roster.all());
      tellRecorder();
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
    media.pushSources(roster.all());
    tellRecorder();
    return this;
  }

  private Behavior<Command> onGetTracks(GetTracks m) {
    if (m.participantId() != null && roster.get(m.participantId()) == null) {
      m.replyTo().tell(new TrackList(false, dominantSpeaker, List.of()));
    } else {
      m.replyTo().tell(new TrackList(!roster.isEmpty(), dominantSpeaker, media.tracks(m.participantId(),
          roster.all())));
    }
    return roster.isEmpty() ? endIfEmpty() : this;
  }

  private Behavior<Command> endIfEmpty() {
    if (inUse() || closing) {
      return this;
    }
    if (shard == null) {
      return stop();
    }
    closing = true;
    shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
    return this;
  }

  private Behavior<Command> stop() {
    if (!closing && successor != null && (!roster.isEmpty() || !lobby.isEmpty())) {
      // A handoff (this node leaves the cluster): the next incarnation, on another node, takes over (see
      // handOver for how the state gets there).
      successor.accept(state());
      getContext().getLog().info("room {}: handed over with {} participants", roomId, roster.size());
      return Behaviors.stopped();
    }
    if (replica != null) {
      replica.remove();
    }
    endRecording();
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

  // ---- helpers --------------------------------------------------------------------------------------------------

  private void watch(ActorRef<ClientEvent> client, String memberId) {
    memberByClient.put(client, memberId);
    getContext().watchWith(client, new Leave(memberId, client));
  }

  private void unwatch(ActorRef<ClientEvent> client) {
    memberByClient.remove(client);
    getContext().unwatch(client);
  }

  /**
   * The name as shown to everyone, or null when it is not acceptable: NFC-normalised (so look-alike spellings of
   * the same letters are one name), 1 to max-name-length characters, and no control or invisible format characters
   * (zero-width spaces, bidirectional overrides and isolates, which make a name display as another, Unicode TR36
   * §2). A zero-width joiner is kept between emoji, where it builds one emoji out of several.
   */
  private String validName(String raw) {
    if (raw == null) {
      return null;
    }
    String name = Normalizer.normalize(raw, Normalizer.Form.NFC).strip();
    if (name.isEmpty() || name.length() > config.maxNameLength()) {
      return null;
    }
    int previous = -1;
    for (int i = 0; i < name.length(); ) {
      int c = name.codePointAt(i);
      i += Character.charCount(c);
      boolean format = Character.getType(c) == Character.FORMAT;
      if (Character.isISOControl(c) || format && !(c == ZERO_WIDTH_JOINER && joinsEmoji(previous, name, i))) {
        return null;
      }
      previous = c;
    }
    return name;
  }

  private static final int ZERO_WIDTH_JOINER = 0x200D;

  /** A ZWJ at {@code next - 1} between an emoji (or its variation selector or skin tone) and another emoji. */
  private static boolean joinsEmoji(int before, String name, int next) {
    boolean afterEmoji = before >= 0 && (Character.isExtendedPictographic(before) || before == 0xFE0F
        || Character.isEmojiModifier(before));
    return afterEmoji && next < name.length() && Character.isExtendedPictographic(name.codePointAt(next));
  }

  /** A shared video must be on one of {@code lchat.room.shared-video.allowed-hosts} (or a subdomain of one). */
  private boolean isAllowedVideoUrl(String url) {
    if (!isWebUrl(url)) {
      return false;
    }
    String host = URI.create(url).getHost().toLowerCase(java.util.Locale.ROOT);
    for (String allowed : config.sharedVideoHosts()) {
      if (host.equals(allowed) || host.endsWith("." + allowed)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isWebUrl(String url) {
    if (url == null || url.length() > MAX_URL_LENGTH) {
      return false;
    }
    try {
      URI uri = new URI(url);
      return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
          && uri.getHost() != null;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  private boolean mayControl(Participant p) {
    return p.role == Role.MODERATOR || (controllerMode && !p.isViewer());
  }

  private boolean feature(String flag) {
    return features.getOrDefault(flag, false);
  }

  /** The acting participant if it is a moderator; otherwise tells it why not and returns null. */
  private Participant moderator(String byId) {
    Participant by = roster.get(byId);
    if (by != null && by.role != Role.MODERATOR) {
      by.client.tell(new CommandRejected("forbidden", "Only a moderator can do that."));
      return null;
    }
    return by;
  }

  /** The target of a moderator/controller action, or null after telling {@code by} why not. */
  private Participant controllableTarget(Participant by, String targetId) {
    if (by == null) {
      return null;
    }
    if (!mayControl(by)) {
      by.client.tell(new CommandRejected("forbidden", "Only a moderator can do that."));
      return null;
    }
    Participant target = roster.get(targetId);
    if (target == null) {
      by.client.tell(new CommandRejected("not_found", "That participant is not in the meeting."));
    }
    return target;
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

  private void tellLobbyToControllers() {
    LobbyChanged event = new LobbyChanged(lobbyEntries());
    for (Participant p : roster.all()) {
      if (mayControl(p)) {
        p.client.tell(event);
      }
    }
  }

  private List<LobbyEntry> lobbyEntries() {
    List<LobbyEntry> entries = new ArrayList<>(lobby.size());
    for (Waiter w : lobby.values()) {
      if (!w.forHost()) { // guests waiting for the host are nobody's to admit
        entries.add(new LobbyEntry(w.lobbyId(), w.displayName()));
      }
    }
    return entries;
  }

  private RoomSettings settings() {
    return new RoomSettings(passcode != null, lobbyEnabled, controllerMode, new LinkedHashMap<>(features),
        media.lastN());
  }

  private RoomState state() {
    List<MemberState> members = new ArrayList<>();
    for (Participant p : roster.all()) {
      members.add(new MemberState(p.id, p.sessionToken, p.displayName, p.role, p.client, p.joinOrder, p.audioMuted,
          p.videoMuted, p.handRaised, media.router(p.id), new ArrayList<>(media.published(p.id)),
          new ArrayList<>(p.pinned), p.receiverLastN, p.identity));
    }
    List<WaiterState> waiting = new ArrayList<>();
    for (Waiter w : lobby.values()) {
      waiting.add(new WaiterState(w.lobbyId(), w.sessionToken(), w.displayName(), w.viewer(), w.client(),
          w.identity(), w.forHost()));
    }
    return new RoomState(members, waiting, admission.bannedTokens(), new ArrayList<>(hands),
        new ArrayList<>(chatHistory), new LinkedHashMap<>(features), passcode == null ? null : passcode.salt(),
        passcode == null ? null : passcode.hash(), lobbyEnabled, controllerMode, sharedVideo, dominantSpeaker,
        created, roster.nextJoinOrder(), media.lastN(), new ArrayList<>(media.speakers()),
        admission.bannedSubjects(), admission.opened(), reservedUntilMillis, maxParticipants, recording);
  }

  /**
   * Takes over from the previous incarnation. Participants keep their ids, roles and media; their sessions are
   * watched from here on. If people joined this incarnation first (a race with the handoff), both sets stay.
   */
  private Behavior<Command> restore(RoomState s) {
    boolean fresh = roster.isEmpty() && lobby.isEmpty();
    if (fresh) {
      features.clear();
      features.putAll(s.features());
      passcode = s.passcodeSalt() == null ? null : Passcode.restore(s.passcodeSalt(), s.passcodeHash());
      lobbyEnabled = s.lobbyEnabled();
      controllerMode = s.controllerMode();
      sharedVideo = s.sharedVideo();
      dominantSpeaker = s.dominantSpeaker();
      chatHistory.addAll(s.chat());
      media.setLastN(s.lastN());
      media.restoreSpeakers(s.speakers());
      if (s.maxParticipants() > 0) {
        maxParticipants = s.maxParticipants();
      }
      reservedUntilMillis = s.reservedUntilMillis();
      if (s.recording() != null) {
        recording = s.recording();
        getContext().watchWith(recording.recorder(), new RecorderGone(recording.egressId()));
      }
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
    for (WaiterState w : s.lobby()) {
      lobby.put(w.lobbyId(), new Waiter(w.lobbyId(), w.sessionToken(), w.displayName(), w.viewer(), w.client(),
          w.identity(), w.forHost()));
      watch(w.client(), w.lobbyId());
    }
    media.pushSources(roster.all());
    tellRecorder();
    getContext().getLog().info("room {}: taken over with {} participants", roomId, roster.size());
    if (!fresh) {
      rosterChanged(null);
    }
    return endIfEmpty();
  }

  private RoomSnapshot snapshot() {
    return new RoomSnapshot(roomId, roster.views(), settings(), new ArrayList<>(hands), sharedVideo,
        dominantSpeaker, new ArrayList<>(chatHistory), recording == null ? null : recording.view());
  }
}
