package uk.co.lchat.room;

import java.util.List;
import java.util.Map;

import org.apache.pekko.actor.typed.ActorRef;

import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.media.control.TrackInfo;

/**
 * The room actor's one protocol: commands in, client events out.
 *
 * <p>Commands come from a participant's signaling session (on any node) or from the node itself; events go to the
 * session's {@code ActorRef<ClientEvent>}, which turns them into JSON for the client. Every message here may cross
 * nodes, so each is a record of plain values (String, primitives, enums, lists, maps, other records, ActorRef) that
 * the cluster's Kryo serializer registers.
 *
 * <p>Participants are named by {@code participantId}, a short public id shown in the roster. A session also holds a
 * secret {@code sessionToken}: it is what a kick bans, so a removed client cannot silently rejoin with it.
 */
public final class RoomProtocol {
  private RoomProtocol() {}

  /** Everything the room actor accepts. */
  public sealed interface Command {}

  public enum Role { MODERATOR, PARTICIPANT, VIEWER }

  public enum MediaKind { AUDIO, VIDEO }

  public enum SharedVideoAction { START, PLAY, PAUSE, SEEK, STOP }

  public enum PresentationAction { STOP, PAGE, POINTER, HAND_OVER }

  public enum SharedPageAction { SHARE, STOP }

  /**
   * Whether a shared page's site lets it be shown in a frame, as the node found when it fetched the page:
   * {@code REFUSED} (X-Frame-Options, or CSP frame-ancestors that do not allow every site: clients show a link
   * instead), {@code ALLOWED}, or {@code UNKNOWN} (the node could not ask the site: clients show the frame anyway).
   */
  public enum Framing { ALLOWED, REFUSED, UNKNOWN }

  /**
   * {@code lchat.auth.mode}: who may enter. {@code OPEN}: anyone (a token is optional); {@code TOKEN}: every join,
   * WHIP and WHEP needs a valid token; {@code TOKEN_TO_CREATE}: only a token holder (or the server API) opens a
   * room, and guests without a token join a room that is open, or wait until it is.
   */
  public enum AuthMode { OPEN, TOKEN, TOKEN_TO_CREATE }

  /**
   * Who a verified join token says the joiner is (the node verified the signature, expiry and room before the room
   * sees it). {@code subject}: the token's {@code sub}, or null; a removal bans it for the room's life.
   * {@code displayName}: the name to show, or null (the joiner's own); {@code moderator}: the token grants the
   * moderator role. {@code grants}: features the token allows ({@code recording}, {@code screenshare}, ...), or
   * null when the token does not restrict them; kept with the participant even for features not built yet.
   */
  public record Identity(String subject, String displayName, boolean moderator, Map<String, Boolean> grants) {}

  // ---- commands from a participant session --------------------------------------------------------------------

  /**
   * Join (or knock, when the lobby is on). {@code passcode} may be null. {@code viewer} joins receive-only.
   * {@code clientAddress}: the client's IP address as the node saw it (null: unknown), what passcode guessing is
   * counted by ({@link PasscodeGuard}).
   * The room answers on {@code client} with exactly one of {@link Joined}, {@link LobbyWaiting} or {@link JoinRefused}.
   */
  public record Join(String sessionToken, String displayName, String passcode, boolean viewer,
                     ActorRef<ClientEvent> client, String resumeId, String clientAddress, Identity identity,
                     String tokenRefusal) implements Command {
    public Join(String sessionToken, String displayName, String passcode, boolean viewer,
                ActorRef<ClientEvent> client) {
      this(sessionToken, displayName, passcode, viewer, client, null, null, null, null);
    }

    public Join(String sessionToken, String displayName, String passcode, boolean viewer,
                ActorRef<ClientEvent> client, String resumeId) {
      this(sessionToken, displayName, passcode, viewer, client, resumeId, null, null, null);
    }

    public Join(String sessionToken, String displayName, String passcode, boolean viewer,
                ActorRef<ClientEvent> client, String resumeId, String clientAddress) {
      this(sessionToken, displayName, passcode, viewer, client, resumeId, clientAddress, null, null);
    }

    /** The same join with a verified token's {@code identity}. */
    public Join withIdentity(Identity id) {
      return new Join(sessionToken, displayName, passcode, viewer, client, resumeId, clientAddress, id, null);
    }
  }

  /*
   * Join.identity: a verified token's claims (null: no token). Join.tokenRefusal: the refusal code of a token that
   * did not verify (token_expired, ...), sent only with a resumeId: a matching resume needs no token (the session
   * token proves the participant), anything else is refused with this code.
   */

  /**
   * The {@link Join} of a participant who is already in the room over another connection (its node is draining, or
   * the network changed): with {@code resumeId} and the same session token the room keeps the participant (id, role,
   * hand, media) and moves its events to the new connection ({@link Resumed}; the old one gets {@link Superseded}).
   * A resume the room cannot match is an ordinary join.
   */

  /**
   * The participant (or lobby entry) leaves of its own accord, or its connection closed. {@code from}: the session
   * that asks; a session the participant has since resumed away from is ignored (its socket may close before it
   * hears {@link Superseded}). Null: whoever holds the id.
   */
  public record Leave(String participantId, ActorRef<ClientEvent> from) implements Command {
    public Leave(String participantId) {
      this(participantId, null);
    }
  }

  /** Group chat when {@code to} is null, else a private message to that participant id. */
  public record SendChat(String from, String text, String to) implements Command {}

  /**
   * A message for one other participant's client, passed on untouched (peer-to-peer call setup: offers, answers and
   * ICE candidates of a direct connection between two browsers). {@code payload} is JSON text.
   */
  public record RelayToPeer(String from, String to, String payload) implements Command {}

  /**
   * The room's own message: a passcode check it ran off its thread (PBKDF2 takes milliseconds, and a guessing
   * client must not hold up the meeting) has finished. {@code against} is the passcode it checked, so a check that
   * raced a passcode change is run again.
   */
  record PasscodeChecked(Join join, String name, Passcode against, boolean matches) implements Command {}

  /**
   * The room's own message: its state as a majority of nodes hold it ({@link RoomReplica}); {@code state} null with
   * {@code failed} false: no such meeting (a new room); {@code failed}: a majority did not answer.
   */
  record ReplicaRead(RoomState state, boolean failed) implements Command {}

  /** The room's own message: a write of its state finished ({@code majority}: one that decides who gets in). */
  record ReplicaWritten(boolean majority, boolean ok) implements Command {}

  /** The room's own timer: write its state to the replica if it changed, and read it again while recovering. */
  record ReplicaTick() implements Command {}

  /** The room's own timer: a room created through the server API that nobody has entered may end now. */
  record ReservationOver() implements Command {}

  /** The room's own timer: send the roster changes collected since the last batch (large rooms). */
  public record FlushRoster() implements Command {}

  /** Self mute state: both flags are the new state. */
  public record SetOwnMute(String participantId, boolean audioMuted, boolean videoMuted) implements Command {}

  /**
   * The participant's own new display name, checked as at join (the room adds a suffix on a clash); refused when its
   * join token names it, since the back end that signed the token decides that name.
   */
  public record SetDisplayName(String participantId, String displayName) implements Command {}

  /** A moderator (or anyone in controller mode) asks {@code target} to mute {@code kind}. */
  public record RequestMute(String by, String target, MediaKind kind) implements Command {}

  /** Remove (kick) {@code target}; its session token is banned for the life of the room. */
  public record Remove(String by, String target) implements Command {}

  public record GrantModerator(String by, String target) implements Command {}

  /** Set the passcode; null or empty clears it. */
  public record SetPasscode(String by, String passcode) implements Command {}

  public record SetLobby(String by, boolean enabled) implements Command {}

  /** Admit or deny a lobby entry, named by the id it got in {@link LobbyWaiting}. */
  public record Admit(String by, String lobbyId) implements Command {}

  public record Deny(String by, String lobbyId) implements Command {}

  /** Raise or lower the participant's own hand. */
  public record SetHand(String participantId, boolean raised) implements Command {}

  /** A moderator lowers someone else's hand. */
  public record LowerHand(String by, String target) implements Command {}

  /** Controller mode: every participant may mute or remove others. */
  public record SetControllerMode(String by, boolean enabled) implements Command {}

  /** Per-room feature flag (chat, screenshare, recording, sharedVideo, raiseHand, privateChat, ...). */
  public record SetFeature(String by, String flag, boolean enabled) implements Command {}

  /** Moderator: each receiver gets video from at most {@code lastN} others (0..{@link #MAX_LAST_N}). */
  public record SetLastN(String by, int lastN) implements Command {}

  public static final int MAX_LAST_N = 100;

  /**
   * A receiver's own wishes: video of {@code pinned} first (within the limit), and at most {@code lastN} videos
   * (-1: the room's limit; never more than it).
   */
  public record SetReceiverConstraints(String participantId, List<String> pinned, int lastN) implements Command {}

  /** Shared (YouTube) video control; {@code url} is used by START, {@code positionSeconds} by SEEK/PLAY/PAUSE. */
  public record ControlSharedVideo(String by, SharedVideoAction action, String url, double positionSeconds)
      implements Command {}

  // ---- a shared web page (page embed) -----------------------------------------------------------------------------

  /**
   * Share the page at {@code url} with everyone (SHARE: start, or navigate to another page), or stop sharing it.
   * The room checks the address and the allow-list ({@link PageAddress}, {@link PageHosts}), then asks its node
   * whether the site allows framing ({@link FramingCheck}) and only then tells everyone ({@link SharedPageChanged}).
   */
  public record ControlSharedPage(String by, SharedPageAction action, String url) implements Command {}

  /** The room's own message: its node's framing check for share number {@code check} answered. */
  record SharedPageChecked(long check, FramingCheck.Result result) implements Command {}

  // ---- presentations (a shared PDF) -------------------------------------------------------------------------------

  /**
   * From the node that took a document's upload: participant {@code by} (proven by its {@code sessionToken}) presents
   * it. {@code documentId}: the node's name for the bytes it holds; {@code pageCount}: as the node read it;
   * {@code servedBy}: the HTTP base of that node; {@code fetchKey}: the node's secret for the document, which lets
   * the room's recorder (no member) fetch it; {@code holder}: told when the room drops the document. Answered
   * with a {@link PresentationReply}; a refused document is the node's to delete.
   */
  public record StartPresentation(String by, String sessionToken, String documentId, int pageCount, String servedBy,
                                  String fetchKey, ActorRef<DocumentDropped> holder,
                                  ActorRef<PresentationReply> replyTo)
      implements Command {}

  /**
   * From a node's HTTP side: is {@code participantId} with this {@code sessionToken} in the room, and may it start
   * presenting? Answered with a {@link PresentationReply} (which also names the document presented now).
   */
  public record PresentationAccess(String participantId, String sessionToken, ActorRef<PresentationReply> replyTo)
      implements Command {}

  /**
   * {@code member}: the participant and session token match someone in the room. {@code code} null: the start (or
   * the right to start) is granted; otherwise why not ({@code forbidden}, {@code not_granted}, {@code invalid}),
   * with {@code feature} when the feature decides. {@code presentation}: what is presented now (null: nothing),
   * {@code servedBy}: the HTTP base of the node that holds its bytes.
   */
  public record PresentationReply(boolean member, String code, String message, String feature,
                                  PresentationView presentation, String servedBy) {}

  /**
   * The one in control moves the presentation: {@code page} (1-based) for PAGE, {@code pointer} (null: hidden) for
   * POINTER, {@code target} for HAND_OVER; STOP ends it.
   */
  public record ControlPresentation(String by, PresentationAction action, int page, Pointer pointer, String target)
      implements Command {}

  /** The room's own timer: a pointer move held back by the rate limit goes out now. */
  record FlushPointer() implements Command {}

  /** To the node holding a document's bytes: the room no longer presents it, delete them. */
  public record DocumentDropped(String roomId, String documentId) {}

  /**
   * From the node holding a document's bytes, now and then: does the room still present {@code documentId}? If not,
   * the room tells {@code holder} {@link DocumentDropped}; if it does, nothing. The word of a drop can be lost (a
   * remote message, a room whose node crashed and whose members all left before it came back), and a node must not
   * keep a meeting's document after the meeting.
   */
  public record CheckDocument(String documentId, ActorRef<DocumentDropped> holder) implements Command {}

  // ---- media ----------------------------------------------------------------------------------------------------

  /**
   * The participant's media lives on {@code router} (the media router of the node that placed it). The room sends
   * that router the participant's sources ({@link MediaRouterProtocol.SetSources}) whenever they change.
   */
  public record AttachMedia(String participantId, ActorRef<MediaRouterProtocol.Command> router) implements Command {}

  /** The participant now publishes exactly these tracks (empty: stopped publishing). Viewers may not publish. */
  public record PublishTracks(String participantId, List<TrackInfo> tracks) implements Command {}

  /** Tracks published in the room, of one participant or (participantId null) everyone's, for WHEP. */
  public record GetTracks(String participantId, ActorRef<TrackList> replyTo) implements Command {}

  /** {@code exists} is false when the room or the named participant is not there. */
  public record TrackList(boolean exists, String dominantSpeaker, List<TrackInfo> tracks) {}

  // ---- commands from the node (media plane, HTTP API) -------------------------------------------------------------

  /** The media plane's dominant speaker detection names the loudest participant (null: nobody). */
  public record SetDominantSpeaker(String participantId) implements Command {}

  /**
   * Sent by the shard when it passivates or hands the room off (its node leaves the cluster). An empty room ends
   * (webhook room.ended); a room with people in it sends its whole state to its next incarnation
   * ({@link RestoreRoom}) so the meeting goes on.
   */
  public record StopRoom() implements Command {}

  /** A room's state, from its previous incarnation on a node that left the cluster. */
  public record RestoreRoom(RoomState state) implements Command {}

  /**
   * Everything a room holds (still in memory only: it travels between nodes, never to disk). The passcode travels
   * as its salted hash (base64), never in plain text. {@code bannedSubjects}: token subjects removed from the room;
   * {@code opened}: a token holder (or the server API) opened it ({@link AuthMode#TOKEN_TO_CREATE});
   * {@code reservedUntilMillis}: a room created through the server API waits for its first participant until then
   * (0: not waiting); {@code maxParticipants}: the room's own limit.
   */
  public record RoomState(List<MemberState> participants, List<WaiterState> lobby, List<String> bannedTokens,
                          List<String> hands, List<ChatMessage> chat, Map<String, Boolean> features,
                          String passcodeSalt, String passcodeHash, boolean lobbyEnabled, boolean controllerMode,
                          SharedVideoState sharedVideo, String dominantSpeaker, boolean created,
                          int nextJoinOrder, int lastN, List<String> speakers, List<String> bannedSubjects,
                          boolean opened, long reservedUntilMillis, int maxParticipants, Recording recording,
                          Presentation presentation, SharedPage sharedPage) {
    /** A state without a shared page. */
    public RoomState(List<MemberState> participants, List<WaiterState> lobby, List<String> bannedTokens,
                     List<String> hands, List<ChatMessage> chat, Map<String, Boolean> features,
                     String passcodeSalt, String passcodeHash, boolean lobbyEnabled, boolean controllerMode,
                     SharedVideoState sharedVideo, String dominantSpeaker, boolean created,
                     int nextJoinOrder, int lastN, List<String> speakers, List<String> bannedSubjects,
                     boolean opened, long reservedUntilMillis, int maxParticipants, Recording recording,
                     Presentation presentation) {
      this(participants, lobby, bannedTokens, hands, chat, features, passcodeSalt, passcodeHash, lobbyEnabled,
          controllerMode, sharedVideo, dominantSpeaker, created, nextJoinOrder, lastN, speakers, bannedSubjects,
          opened, reservedUntilMillis, maxParticipants, recording, presentation, null);
    }

    /** A state without a presentation. */
    public RoomState(List<MemberState> participants, List<WaiterState> lobby, List<String> bannedTokens,
                     List<String> hands, List<ChatMessage> chat, Map<String, Boolean> features,
                     String passcodeSalt, String passcodeHash, boolean lobbyEnabled, boolean controllerMode,
                     SharedVideoState sharedVideo, String dominantSpeaker, boolean created,
                     int nextJoinOrder, int lastN, List<String> speakers, List<String> bannedSubjects,
                     boolean opened, long reservedUntilMillis, int maxParticipants, Recording recording) {
      this(participants, lobby, bannedTokens, hands, chat, features, passcodeSalt, passcodeHash, lobbyEnabled,
          controllerMode, sharedVideo, dominantSpeaker, created, nextJoinOrder, lastN, speakers, bannedSubjects,
          opened, reservedUntilMillis, maxParticipants, recording, null);
    }

    /** A state without a recording. */
    public RoomState(List<MemberState> participants, List<WaiterState> lobby, List<String> bannedTokens,
                     List<String> hands, List<ChatMessage> chat, Map<String, Boolean> features,
                     String passcodeSalt, String passcodeHash, boolean lobbyEnabled, boolean controllerMode,
                     SharedVideoState sharedVideo, String dominantSpeaker, boolean created,
                     int nextJoinOrder, int lastN, List<String> speakers, List<String> bannedSubjects,
                     boolean opened, long reservedUntilMillis, int maxParticipants) {
      this(participants, lobby, bannedTokens, hands, chat, features, passcodeSalt, passcodeHash, lobbyEnabled,
          controllerMode, sharedVideo, dominantSpeaker, created, nextJoinOrder, lastN, speakers, bannedSubjects,
          opened, reservedUntilMillis, maxParticipants, null);
    }

    /** A state from before tokens and the server API: nothing banned by subject, the deployment's limit. */
    public RoomState(List<MemberState> participants, List<WaiterState> lobby, List<String> bannedTokens,
                     List<String> hands, List<ChatMessage> chat, Map<String, Boolean> features,
                     String passcodeSalt, String passcodeHash, boolean lobbyEnabled, boolean controllerMode,
                     SharedVideoState sharedVideo, String dominantSpeaker, boolean created,
                     int nextJoinOrder, int lastN, List<String> speakers) {
      this(participants, lobby, bannedTokens, hands, chat, features, passcodeSalt, passcodeHash, lobbyEnabled,
          controllerMode, sharedVideo, dominantSpeaker, created, nextJoinOrder, lastN, speakers, List.of(), false,
          0, 0);
    }
  }

  /** {@code identity}: the member's verified token claims, or null. */
  public record MemberState(String id, String sessionToken, String displayName, Role role,
                            ActorRef<ClientEvent> client, int joinOrder, boolean audioMuted, boolean videoMuted,
                            boolean handRaised, ActorRef<MediaRouterProtocol.Command> router,
                            List<TrackInfo> tracks, List<String> pinned, int receiverLastN, Identity identity) {
    public MemberState(String id, String sessionToken, String displayName, Role role,
                       ActorRef<ClientEvent> client, int joinOrder, boolean audioMuted, boolean videoMuted,
                       boolean handRaised, ActorRef<MediaRouterProtocol.Command> router,
                       List<TrackInfo> tracks, List<String> pinned, int receiverLastN) {
      this(id, sessionToken, displayName, role, client, joinOrder, audioMuted, videoMuted, handRaised, router, tracks,
          pinned, receiverLastN, null);
    }
  }

  /** {@code forHost}: waiting for a token holder to open the room, not for a moderator's admit. */
  public record WaiterState(String lobbyId, String sessionToken, String displayName, boolean viewer,
                            ActorRef<ClientEvent> client, Identity identity, boolean forHost) {
    public WaiterState(String lobbyId, String sessionToken, String displayName, boolean viewer,
                       ActorRef<ClientEvent> client) {
      this(lobbyId, sessionToken, displayName, viewer, client, null, false);
    }
  }

  // ---- recording (egress) ----------------------------------------------------------------------------------------

  /**
   * Start recording the room: {@code recorder} (an egress on some node) asks to be the room's recorder. {@code by}:
   * the participant id of a moderator, or null from the server API. Answered DONE (everyone is told, the recorder
   * hears the room's tracks from now on), NOT_FOUND (no such room), INVALID (the room's {@code recording} feature
   * is off), FORBIDDEN or EXISTS (a recording already runs). {@code replaces}: null, or the egress this one
   * continues (its node drains): the room takes the new recorder in its place without a gap, and the old one hears
   * {@link RecorderStop} with {@code moved}; everyone is told the recording goes on. {@code needs}: the room's
   * features the egress uses, {@code recording} (it keeps files) and {@code streaming} (RTMP or HLS).
   */
  public record StartRecording(String by, String egressId, ActorRef<RecorderEvent> recorder,
                               ActorRef<ServerAnswer> replyTo, String replaces, List<String> needs)
      implements Command {
    public StartRecording {
      needs = needs == null ? List.of("recording") : List.copyOf(needs);
    }

    public StartRecording(String by, String egressId, ActorRef<RecorderEvent> recorder,
                          ActorRef<ServerAnswer> replyTo) {
      this(by, egressId, recorder, replyTo, null, null);
    }
  }

  /**
   * Stop the recording {@code egressId} ({@code by}: a moderator, or null from the server API); answered DONE or
   * NOT_FOUND. The recorder hears {@link RecorderStop} and finalises its files.
   */
  public record StopRecording(String by, String egressId, ActorRef<ServerAnswer> replyTo) implements Command {}

  /** From the recorder: it ended by itself ({@code reason}: e.g. {@code encoder_failed}); the room is told. */
  public record RecordingEnded(String egressId, String reason) implements Command {}

  /**
   * From a recorder that continues another ({@link StartRecording#replaces}): it records every track of the room
   * now, so the one it replaces may stop.
   */
  public record RecordingLive(String egressId) implements Command {}

  /** Local: a hand-over from {@code oldEgressId} is due, whether or not its successor went live. */
  record HandOverDue(String oldEgressId) implements Command {}

  /** Local: the recorder's actor is gone (its node left) without saying it ended. */
  record RecorderGone(String egressId) implements Command {}

  /** What the room tells its recorder. */
  public sealed interface RecorderEvent {}

  /**
   * What the room presents now, for a composite to show on stage (sent when recording starts and whenever the
   * document or its page changes): {@code documentId} null when nothing is presented; otherwise its page (1-based),
   * its presenter (a participant id), where to fetch it ({@code url}: its holder's HTTP address) and the holder's
   * {@code fetchKey} for it (sent as {@code Lchat-Document-Key}).
   */
  public record RecorderPresentation(String roomId, String documentId, int page, String presenter, String url,
                                     String fetchKey) implements RecorderEvent {}

  /** Every track of the room now (sent when recording starts and whenever tracks come or go). */
  public record RecorderTracks(String roomId, List<TrackInfo> tracks, Map<String, String> displayNames)
      implements RecorderEvent {}

  /**
   * Stop and finalise: {@code reason} {@code stopped} (a moderator or the API), {@code room_ended}, {@code moved}
   * (another egress took over from this one).
   */
  public record RecorderStop(String reason) implements RecorderEvent {}

  /** The room's recording, replicated with its state; {@code startedBy} a display name, or null for the API. */
  public record Recording(String egressId, String startedBy, long startedAtMillis,
                          ActorRef<RecorderEvent> recorder) {
    public RecordingView view() {
      return new RecordingView(egressId, startedBy, startedAtMillis);
    }
  }

  /** {@code GET /api/rooms/{room}}: never creates visible state; an empty room answers exists=false. */
  public record GetInfo(ActorRef<RoomInfo> replyTo) implements Command {}

  public record RoomInfo(String roomId, boolean exists, int size, boolean locked) {}

  // ---- commands from the server API (back ends, authenticated by the node) -------------------------------------

  /** Every answer of the room to the server API (a marker, bound to the Kryo serializer: they cross nodes). */
  public sealed interface ServerAnswer {}

  /** What a server API command came to. */
  public enum Outcome { DONE, NO_ROOM, NO_PARTICIPANT, EXISTS, INVALID }

  /** {@code message}: why, for anything but {@link Outcome#DONE}. */
  public record ServerReply(Outcome outcome, String message) implements ServerAnswer {}

  /**
   * A room's settings as a back end creates it. {@code passcode} null: none; {@code maxParticipants} 0: the
   * deployment's; {@code lastN} -1: the deployment's; {@code features}: flags to set (null: the deployment's);
   * {@code emptyTimeoutMillis} 0: {@code lchat.room.empty-timeout}.
   */
  public record RoomSetup(String passcode, boolean lobby, int maxParticipants, int lastN,
                          Map<String, Boolean> features, long emptyTimeoutMillis) {}

  /**
   * Creates the room before anyone joins: it waits {@code emptyTimeoutMillis} for its first participant, and is
   * open (for {@link AuthMode#TOKEN_TO_CREATE}) from now on. {@link Outcome#EXISTS} when it is already in use.
   */
  public record CreateRoom(RoomSetup setup, ActorRef<ServerAnswer> replyTo) implements Command {}

  /** The room with its participants, for the server API; {@code exists} false when nobody is there. */
  public record GetDetails(ActorRef<ServerAnswer> replyTo) implements Command {}

  public record RoomDetails(String roomId, boolean exists, List<MemberView> participants, RoomSettings settings,
                            int maxParticipants, int lobbyWaiting, boolean waitingForFirstParticipant)
      implements ServerAnswer {}

  /** A participant as the server API sees it: with its role and its token's subject (never shown to members). */
  public record MemberView(String id, String displayName, Role role, String subject, boolean audioMuted,
                           boolean videoMuted, boolean handRaised, int joinOrder) {}

  /** The server mutes {@code target} (the participant may unmute itself, as after a moderator's request). */
  public record ServerMute(String target, MediaKind kind, ActorRef<ServerAnswer> replyTo) implements Command {}

  /** The server removes {@code target}: as a moderator's removal, its session and token subject are banned. */
  public record ServerRemove(String target, ActorRef<ServerAnswer> replyTo) implements Command {}

  public record ServerGrantModerator(String target, ActorRef<ServerAnswer> replyTo) implements Command {}

  /**
   * A data message from the back end to everyone in the room ({@code to} null) or to one participant;
   * {@code payload} is JSON text, {@code topic} an optional label.
   */
  public record SendData(String to, String topic, String payload, ActorRef<ServerAnswer> replyTo)
      implements Command {}

  /** Ends the meeting for everyone: each is told ({@link RoomEnded}) and leaves; waiters are refused. */
  public record EndRoom(ActorRef<ServerAnswer> replyTo) implements Command {}

  // ---- events to a participant session --------------------------------------------------------------------------

  /** Everything the room sends to a session. The session maps each to one JSON message. */
  public sealed interface ClientEvent {}

  /**
   * In the room: the full room state the joiner may see. {@code grants}: the features its token allows (null
   * without a token, or a token that does not restrict them). {@code routers}: the media routers the room's participants already use, so the session can place
   * this participant's media near them (internal: not sent to the client).
   */
  public record Joined(String participantId, Role role, RoomSnapshot room,
                       List<ActorRef<MediaRouterProtocol.Command>> routers, Map<String, Boolean> grants)
      implements ClientEvent {
    public Joined(String participantId, Role role, RoomSnapshot room) {
      this(participantId, role, room, List.of(), null);
    }

    public Joined(String participantId, Role role, RoomSnapshot room,
                  List<ActorRef<MediaRouterProtocol.Command>> routers) {
      this(participantId, role, room, routers, null);
    }
  }

  /**
   * A {@link Join} with {@code resumeId} matched: the same participant continues over this connection. The session
   * re-binds the participant's media on {@code mediaRouter} (null when it had none yet). {@code grants}: as in
   * {@link Joined}, for the new connection's session to enforce ({@link FeaturePolicy}).
   */
  public record Resumed(String participantId, Role role, RoomSnapshot room,
                        ActorRef<MediaRouterProtocol.Command> mediaRouter, Map<String, Boolean> grants)
      implements ClientEvent {
    public Resumed(String participantId, Role role, RoomSnapshot room,
                   ActorRef<MediaRouterProtocol.Command> mediaRouter) {
      this(participantId, role, room, mediaRouter, null);
    }
  }

  /** To the old connection of a resumed participant: the participant continues elsewhere; close quietly. */
  public record Superseded() implements ClientEvent {}

  /**
   * Waiting in the lobby; nothing of the room is revealed. {@code forHost}: for a token holder to open the room
   * ({@link AuthMode#TOKEN_TO_CREATE}), rather than for a moderator to admit.
   */
  public record LobbyWaiting(String lobbyId, boolean forHost) implements ClientEvent {
    public LobbyWaiting(String lobbyId) {
      this(lobbyId, false);
    }
  }

  /**
   * Refused: codes {@code passcode_required}, {@code passcode_wrong}, {@code removed}, {@code denied},
   * {@code room_full}, {@code invalid_name}, {@code token_required}, {@code token_expired}, {@code token_invalid},
   * {@code token_wrong_room}, {@code banned} (this token's subject was removed), {@code room_ended},
   * {@code passcode_throttled} (too many wrong passcodes from this address
   * or in this room: try again after {@code retryAfterSeconds}; also set on a {@code passcode_wrong} that started a
   * wait). Nothing of the room is revealed.
   */
  public record JoinRefused(String code, String reason, long retryAfterSeconds) implements ClientEvent {
    public JoinRefused(String code, String reason) {
      this(code, reason, 0);
    }
  }

  /** The whole roster in join order, sent to every participant of a small room on any change. */
  public record RosterChanged(List<ParticipantView> participants) implements ClientEvent {}

  /**
   * What changed in a large room's roster since the last roster or delta: participants who joined or changed (in
   * join order, whole) and the ids of those who left. Applied on top of the joiner's snapshot; applying one twice
   * changes nothing.
   */
  public record RosterDelta(List<ParticipantView> changed, List<String> left) implements ClientEvent {}

  /** Lobby entries, sent to moderators only (and to everyone in controller mode). */
  public record LobbyChanged(List<LobbyEntry> waiting) implements ClientEvent {}

  public record ChatDelivered(ChatMessage message) implements ClientEvent {}

  /** A {@link RelayToPeer} payload from another participant. */
  public record PeerRelayed(String from, String payload) implements ClientEvent {}

  /** Someone asks this participant to mute. */
  public record MuteRequested(MediaKind kind, String by) implements ClientEvent {}

  /** This participant was removed; the session should close. */
  public record Removed(String by) implements ClientEvent {}

  public record RoleChanged(Role role) implements ClientEvent {}

  public record HandsChanged(List<String> queue) implements ClientEvent {}

  public record SettingsChanged(RoomSettings settings) implements ClientEvent {}

  public record SharedVideoChanged(SharedVideoState state) implements ClientEvent {}

  /** The presentation changed (page, pointer, control), started, or stopped ({@code presentation} null). */
  public record PresentationChanged(PresentationView presentation) implements ClientEvent {}

  /** A page was shared, its sharer navigated to another, or sharing stopped ({@code page} null). */
  public record SharedPageChanged(SharedPage page) implements ClientEvent {}

  public record DominantSpeakerChanged(String participantId) implements ClientEvent {}

  /** A data message from the back end (server API); {@code payload} is JSON text, {@code topic} may be null. */
  public record DataReceived(String topic, String payload) implements ClientEvent {}

  /** The meeting was ended for everyone ({@code reason}: {@code api}); the session closes. */
  public record RoomEnded(String reason) implements ClientEvent {}

  /**
   * Recording started ({@code recording} set) or stopped (null, with {@code reason}: {@code stopped},
   * {@code encoder_failed}, {@code egress_gone}, ...). Everyone in the room hears it.
   */
  public record RecordingChanged(RecordingView recording, String reason) implements ClientEvent {}

  /**
   * A command was refused: codes {@code forbidden}, {@code not_granted}, {@code not_found}, {@code invalid},
   * {@code too_large}, ... {@code feature}: the feature that is off or not granted ({@link FeaturePolicy}), or null.
   */
  public record CommandRejected(String code, String message, String feature) implements ClientEvent {
    public CommandRejected(String code, String message) {
      this(code, message, null);
    }
  }

  // ---- views ----------------------------------------------------------------------------------------------------

  public record ParticipantView(String id, String displayName, Role role, boolean audioMuted, boolean videoMuted,
                                boolean handRaised, int joinOrder) {}

  public record LobbyEntry(String lobbyId, String displayName) {}

  public record ChatMessage(String from, String fromName, String to, String text, long sentAtMillis) {
    public boolean isPrivate() {
      return to != null;
    }
  }

  public record RoomSettings(boolean passcodeSet, boolean lobbyEnabled, boolean controllerMode,
                             Map<String, Boolean> features, int lastN) {}

  /** {@code url} null means nothing is shared; {@code positionSeconds} is at {@code updatedAtMillis}. */
  public record SharedVideoState(String url, boolean playing, double positionSeconds, long updatedAtMillis,
                                 String controlledBy) {}

  /**
   * The page shared on stage: {@code url} (normalised, on an allowed host), {@code sharedBy} (a participant id),
   * {@code framing} as the node found it, {@code framingDetail} what decided it (e.g. "X-Frame-Options: DENY"), or
   * null.
   */
  public record SharedPage(String url, String sharedBy, Framing framing, String framingDetail) {}

  /** A pointer on a page: {@code x} from its left edge, {@code y} from its top, each a share (0..1) of its size. */
  public record Pointer(double x, double y) {}

  /**
   * The presented document, replicated with the room's state: {@code presenter} shared it, {@code controlledBy}
   * turns its pages; {@code servedBy} and {@code holder}: the node that holds its bytes (never the room's node
   * necessarily: the one that took the upload); {@code fetchKey}: that node's secret for the document, given to the
   * room's recorder only (never in the {@link PresentationView} members see).
   */
  public record Presentation(String documentId, String presenter, String controlledBy, int pageCount, int page,
                             Pointer pointer, String servedBy, String fetchKey, ActorRef<DocumentDropped> holder) {
    public PresentationView view(String roomId) {
      return new PresentationView(documentId, "/presentations/" + roomId + "/" + documentId, presenter,
          controlledBy, pageCount, page, pointer);
    }
  }

  /** The presentation as participants see it; {@code url}: where a member fetches it, on its own node. */
  public record PresentationView(String documentId, String url, String presenter, String controlledBy,
                                 int pageCount, int page, Pointer pointer) {}

  /** A running recording as participants see it; {@code startedBy} a display name, null when the API started it. */
  public record RecordingView(String egressId, String startedBy, long startedAtMillis) {}

  /**
   * {@code recording}: the running recording, null when none; {@code presentation}: the one on stage, null when
   * none; {@code sharedPage}: the web page on stage, null when none (so late joiners know all three).
   */
  public record RoomSnapshot(String roomId, List<ParticipantView> participants, RoomSettings settings,
                             List<String> hands, SharedVideoState sharedVideo, String dominantSpeaker,
                             List<ChatMessage> chatHistory, RecordingView recording,
                             PresentationView presentation, SharedPage sharedPage) {
    public RoomSnapshot(String roomId, List<ParticipantView> participants, RoomSettings settings,
                        List<String> hands, SharedVideoState sharedVideo, String dominantSpeaker,
                        List<ChatMessage> chatHistory, RecordingView recording, PresentationView presentation) {
      this(roomId, participants, settings, hands, sharedVideo, dominantSpeaker, chatHistory, recording, presentation,
          null);
    }

    public RoomSnapshot(String roomId, List<ParticipantView> participants, RoomSettings settings,
                        List<String> hands, SharedVideoState sharedVideo, String dominantSpeaker,
                        List<ChatMessage> chatHistory, RecordingView recording) {
      this(roomId, participants, settings, hands, sharedVideo, dominantSpeaker, chatHistory, recording, null);
    }

    public RoomSnapshot(String roomId, List<ParticipantView> participants, RoomSettings settings,
                        List<String> hands, SharedVideoState sharedVideo, String dominantSpeaker,
                        List<ChatMessage> chatHistory) {
      this(roomId, participants, settings, hands, sharedVideo, dominantSpeaker, chatHistory, null);
    }
  }
}
