package uk.co.lchat.node.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import com.typesafe.config.ConfigFactory;

import uk.co.lchat.egress.EgressInfo;
import uk.co.lchat.egress.EgressProtocol;
import uk.co.lchat.egress.EgressRequest;
import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.media.control.TrackInfo;
import uk.co.lchat.room.RoomProtocol;
import uk.co.lchat.room.RoomProtocol.*;

class KryoSerializerTest {
  static final ActorTestKit kit = ActorTestKit.create(ConfigFactory.parseString(
      "pekko.actor.provider = local").withFallback(ConfigFactory.load()));

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private static List<Object> samples() {
    ActorRef<ClientEvent> client = kit.createTestProbe(ClientEvent.class).ref();
    ActorRef<RoomInfo> infoReply = kit.createTestProbe(RoomInfo.class).ref();
    LinkedHashMap<String, Boolean> features = new LinkedHashMap<>();
    features.put("chat", true);
    features.put("recording", false);
    RoomSettings settings = new RoomSettings(true, true, false, features, 25);
    SharedVideoState video = new SharedVideoState("https://youtu.be/x", true, 12.25, 99L, "p1");
    ParticipantView ann = new ParticipantView("p1", "Ann", Role.MODERATOR, true, false, true, 1);
    ChatMessage chat = new ChatMessage("p1", "Ann", null, "hello ☾", 42L);
    RoomSnapshot snapshot = new RoomSnapshot("moon", new ArrayList<>(List.of(ann)), settings,
        new ArrayList<>(List.of("p1")), video, "p1", new ArrayList<>(List.of(chat)));
    ActorRef<MediaRouterProtocol.Command> router = kit.createTestProbe(MediaRouterProtocol.Command.class).ref();
    ActorRef<ServerAnswer> server = kit.createTestProbe(ServerAnswer.class).ref();
    ActorRef<EgressProtocol.Command> egressNode = kit.createTestProbe(EgressProtocol.Command.class).ref();
    EgressRequest composite = EgressRequest.of("composite", "speaker", "1080p", "mp4", true,
        List.of("rtmp://live.example.com/app/key"), true);
    EgressInfo ended = new EgressInfo("EG_1", "moon", "composite", "ended", "moved", 1000L, 21000L,
        List.of(new EgressInfo.RecordedFile("moon/EG_1/meeting.mp4", null, null, "composite", "h264", 123456L, 20.0,
            1000L, 21000L)), List.of("rtmp://live.example.com/app/***"), true);
    LinkedHashMap<String, Boolean> grants = new LinkedHashMap<>();
    grants.put("recording", true);
    grants.put("screenshare", false);
    Identity identity = new Identity("u-ann", "Ann Smith", true, grants);
    ActorRef<MediaRouterProtocol.MediaEvent> media =
        kit.createTestProbe(MediaRouterProtocol.MediaEvent.class).ref();
    ActorRef<MediaRouterProtocol.Command> origin = kit.createTestProbe(MediaRouterProtocol.Command.class).ref();
    Presentation slides = new Presentation("d0c", "p1", "p2", 3, 2, new Pointer(0.5, 0.1), "http://127.0.0.1:8080", "k3y",
        kit.createTestProbe(DocumentDropped.class).ref());
    TrackInfo audio = new TrackInfo("p1", "p1-0", "audio", 4_000_000_000L, "opus", 48000, 2, "minptime=10", origin);
    TrackInfo video1 = new TrackInfo("p1", "p1-1", "video", 7L, "VP8", 90000, 1, null, origin);
    return List.of(
        new Join("token", "Ann", "pw", true, client), new Join("token", "Ann", null, false, client, "p1"),
        new RestoreRoom(new RoomState(new ArrayList<>(List.of(
            new MemberState("p1", "token", "Ann", Role.MODERATOR, client, 1, true, false, true, router,
                new ArrayList<>(List.of(audio)), new ArrayList<>(List.of("p2")), 4),
            new MemberState("p2", null, "Bob", Role.VIEWER, client, 2, false, false, false, null, List.of(),
                List.of(), -1))),
            new ArrayList<>(List.of(new WaiterState("L1", "t", "Cat", false, client))), List.of("banned"),
            new ArrayList<>(List.of("p1")), new ArrayList<>(List.of(chat)), features, "c2FsdA==", "aGFzaA==", true,
            false, video, "p1", true, 3, 25, new ArrayList<>(List.of("p1")))),
        new Resumed("p1", Role.MODERATOR, snapshot, router), new Resumed("p1", Role.PARTICIPANT, snapshot, null),
        new Join("token", null, null, false, client, null, "203.0.113.9", identity, null),
        new Join("token", "Ann", null, false, client, "p1", null, null, "token_expired"),
        new RestoreRoom(new RoomState(new ArrayList<>(List.of(
            new MemberState("p1", "token", "Ann", Role.MODERATOR, client, 1, true, false, true, router,
                new ArrayList<>(List.of(audio)), new ArrayList<>(List.of("p2")), 4, identity))),
            new ArrayList<>(List.of(new WaiterState("L1", "t", "Cat", false, client, identity, true))), List.of(),
            List.of(), List.of(), features, null, null, false, false, video, null, true, 2, 25, List.of(),
            new ArrayList<>(List.of("u-bob")), true, 1795500000000L, 12)),
        new Joined("p1", Role.MODERATOR, snapshot, List.of(), grants), new LobbyWaiting("L1", true),
        new CreateRoom(new RoomSetup("pw", true, 12, 5, grants, 60_000), server),
        new CreateRoom(new RoomSetup(null, false, 0, -1, null, 0), server),
        new GetDetails(server), new ServerMute("p2", MediaKind.AUDIO, server), new ServerRemove("p2", server),
        new ServerGrantModerator("p2", server), new SendData(null, null, "{}", server),
        new SendData("p2", "poll", "[1]", server), new EndRoom(server),
        new ServerReply(Outcome.DONE, null), new ServerReply(Outcome.NO_PARTICIPANT, "no"),
        new RoomDetails("moon", true, new ArrayList<>(List.of(new MemberView("p1", "Ann", Role.MODERATOR, "u-ann",
            false, true, false, 1))), settings, 12, 1, false),
        new DataReceived("poll", "{\"q\":1}"), new DataReceived(null, "null"), new RoomEnded("api"),
        new Superseded(), new MediaRouterProtocol.Drain(true), new MediaRouterProtocol.MoveMedia(router),
        new MediaRouterProtocol.MoveMedia(router, router),
        new MediaRouterProtocol.RouterGone(router), new MediaRouterProtocol.SelectAudio(),
        new MediaRouterProtocol.SetVideoConstraints("p1", new uk.co.lchat.media.control.VideoConstraints(180,
            new java.util.HashMap<>(Map.of("p2", 720, "p3-1-99", 0)))),
        new MediaRouterProtocol.Shed(3, router, kit.createTestProbe(Integer.class).ref()),
        new uk.co.lchat.node.stats.StatsProtocol.GetNodeInfo(
            kit.createTestProbe(uk.co.lchat.node.stats.StatsProtocol.NodeInfo.class).ref()),
        new uk.co.lchat.node.stats.StatsProtocol.NodeInfo("pekko://lchat@127.0.0.1:25520", "ws://127.0.0.1:8080/ws",
            false),
        new Leave("p1"), new Leave("p1", kit.createTestProbe(ClientEvent.class).ref()),
        new SetLastN("p1", 9), new SetReceiverConstraints("p1", new ArrayList<>(List.of("p2")), -1), new SendChat("p1", "hi", "p2"), new FlushRoster(), new RelayToPeer("p1", "p2", "{\"sdp\":\"v=0\"}"),
        new PeerRelayed("p1", "{}"),
        new SetOwnMute("p1", true, false), new RequestMute("p1", "p2", MediaKind.AUDIO), new Remove("p1", "p2"),
        new GrantModerator("p1", "p2"), new SetPasscode("p1", null), new SetLobby("p1", true),
        new Admit("p1", "L1"), new Deny("p1", "L1"), new SetHand("p1", true), new LowerHand("p1", "p2"),
        new SetDisplayName("p1", "Robert"),
        new SetControllerMode("p1", true), new SetFeature("p1", "chat", false),
        new ControlSharedVideo("p1", SharedVideoAction.SEEK, null, 3.5), new SetDominantSpeaker("p2"),
        new StopRoom(), new GetInfo(infoReply), new RoomInfo("moon", true, 3, false),
        new Joined("p1", Role.MODERATOR, snapshot), new Joined("p1", Role.MODERATOR, snapshot,
            new ArrayList<>(List.of(router))), new LobbyWaiting("L1"), new JoinRefused("denied", "no"),
        new RosterChanged(new ArrayList<>(List.of(ann))),
        new RosterDelta(new ArrayList<>(List.of(ann)), new ArrayList<>(List.of("p9"))),
        new LobbyChanged(new ArrayList<>(List.of(new LobbyEntry("L1", "Cat")))), new ChatDelivered(chat),
        new MuteRequested(MediaKind.VIDEO, "p1"), new Removed("p1"), new RoleChanged(Role.VIEWER),
        new HandsChanged(new ArrayList<>(List.of("p2", "p1"))), new SettingsChanged(settings),
        new SharedVideoChanged(video), new DominantSpeakerChanged(null), new CommandRejected("invalid", "bad"),
        new StartPresentation("p1", "token", "d0c", 3, "http://127.0.0.1:8080", "k3y",
            kit.createTestProbe(DocumentDropped.class).ref(), kit.createTestProbe(PresentationReply.class).ref()),
        new PresentationAccess("p1", "token", kit.createTestProbe(PresentationReply.class).ref()),
        new PresentationReply(true, null, null, null, slides.view("moon"), "http://127.0.0.1:8080"),
        new PresentationReply(false, "forbidden", "no", "presentation", null, null),
        new ControlPresentation("p1", PresentationAction.POINTER, 0, new Pointer(0.25, 0.75), null),
        new ControlPresentation("p1", PresentationAction.HAND_OVER, 0, null, "p2"),
        new PresentationChanged(slides.view("moon")), new PresentationChanged(null),
        new DocumentDropped("moon", "d0c"),
        new CheckDocument("d0c", kit.createTestProbe(DocumentDropped.class).ref()),
        new RecorderPresentation("moon", "d0c", 2, "p1", "http://127.0.0.1:8080/presentations/moon/d0c", "k3y"),
        new RecorderPresentation("moon", null, 0, null, null, null),
        new RestoreRoom(new RoomState(List.of(), List.of(), List.of(), List.of(), List.of(), features, null, null,
            false, false, video, null, true, 2, 25, List.of(), List.of(), false, 0, 0, null, slides)),
        new RestoreRoom(new RoomState(List.of(), List.of(), List.of(), List.of(), List.of(), features, null, null,
            false, false, video, null, true, 2, 25, List.of(), List.of(), false, 0, 0, null, null,
            new SharedPage("https://example.com/a", "p1", Framing.REFUSED, "X-Frame-Options: DENY"))),
        new ControlSharedPage("p1", SharedPageAction.SHARE, "https://example.com/a"),
        new ControlSharedPage("p1", SharedPageAction.STOP, null),
        new SharedPageChanged(new SharedPage("https://example.com/b", "p1", Framing.UNKNOWN, null)),
        new SharedPageChanged(null),
        new Joined("p1", Role.PARTICIPANT, new RoomSnapshot("moon", new ArrayList<>(List.of(ann)), settings,
            List.of(), video, null, List.of(), null, null,
            new SharedPage("https://example.com/b", "p1", Framing.ALLOWED, null))),
        new AttachMedia("p1", router), new PublishTracks("p1", List.of(audio, video1)),
        new PublishTracks("p1", List.of()), new PublishTracks("p1", List.of(audio)),
        new GetTracks(null, kit.createTestProbe(TrackList.class).ref()),
        new TrackList(true, "p1", List.of(audio, video1, audio)),
        new MediaRouterProtocol.Attach("moon", "p1", media), new MediaRouterProtocol.Detach("p1"),
        new MediaRouterProtocol.Publish("p1", "v=0", media),
        new MediaRouterProtocol.SetSources("p2", List.of(audio, video1)),
        new MediaRouterProtocol.SubscribeAnswer("p1", "v=0"),
        new MediaRouterProtocol.Watch("moon", "w1", "v=0", List.of(video1), media),
        new MediaRouterProtocol.WatchSpeaker("moon", "w2", "v=0", "p1", media),
        new MediaRouterProtocol.WatchSpeaker("moon", "w3", "v=0", null, media),
        new MediaRouterProtocol.Unwatch("w1", kit.createTestProbe(Boolean.class).ref()),
        new MediaRouterProtocol.GetStatus(kit.createTestProbe(MediaRouterProtocol.RouterStatus.class).ref()),
        new MediaRouterProtocol.RouterStatus(10000, 2, 1, 2, 3, 4, 5, true),
        new MediaRouterProtocol.EndpointClosed("p1/pub", "gone"), new MediaRouterProtocol.SpeakerChanged("p1/pub"),
        new MediaRouterProtocol.Published("v=0", List.of(audio)), new MediaRouterProtocol.Subscribed("v=0"),
        new MediaRouterProtocol.SubscribeOffer(router, "v=0", true),
        new MediaRouterProtocol.RestartIce("p1"), new MediaRouterProtocol.MediaFailed("bad_sdp", "no"),
        new MediaRouterProtocol.HandOver("p1", media),
        new MediaRouterProtocol.SpeakerActive("p1"),
        new MediaRouterProtocol.OpenRelay(router, "127.0.0.1", 10001, "a2V5cw=="),
        new MediaRouterProtocol.RelayOpened(router, "127.0.0.1", 10002),
        new MediaRouterProtocol.RelayTrack("p1-1-7", router),
        new MediaRouterProtocol.TrackRelayed("p1-1-7", 4_000_000_000L, 96, 90000, "video", -1, router, 77L),
        new MediaRouterProtocol.RelayRefused("p1-1-7", router),
        new MediaRouterProtocol.UnrelayTrack("p1-1-7", router),
        new MediaRouterProtocol.RecordTrack("moon", "egress/EG_1/p1-0", audio, 111, 40000),
        new MediaRouterProtocol.StopRecordTrack("egress/EG_1/p1-0"),
        new RoomProtocol.StartRecording("p1", "EG_1", kit.createTestProbe(RoomProtocol.RecorderEvent.class).ref(),
            server),
        new RoomProtocol.StartRecording(null, "EG_2", kit.createTestProbe(RoomProtocol.RecorderEvent.class).ref(),
            server),
        new RoomProtocol.StopRecording("p1", "EG_1", server), new RoomProtocol.StopRecording(null, "EG_1", server),
        new RoomProtocol.RecordingEnded("EG_1", "encoder_failed"),
        new RoomProtocol.RecordingChanged(new RoomProtocol.RecordingView("EG_1", "Ann", 42L), null),
        new RoomProtocol.RecordingChanged(null, "stopped"),
        new RoomProtocol.RecorderTracks("moon", List.of(audio, video1), new LinkedHashMap<>(Map.of("p1", "Ann"))),
        new RoomProtocol.RecorderStop("room_ended"),
        new RoomProtocol.StartRecording(null, "EG_3", kit.createTestProbe(RoomProtocol.RecorderEvent.class).ref(),
            server, "EG_2", List.of("recording", "streaming")),
        new RoomProtocol.RecordingLive("EG_3"),
        new EgressProtocol.Offer(kit.createTestProbe(EgressProtocol.Capacity.class).ref()),
        new EgressProtocol.Capacity(egressNode, 2, false, null),
        new EgressProtocol.Capacity(egressNode, 0, true, "The disk is nearly full."),
        new EgressProtocol.Start(composite, "moon", "p1", null,
            kit.createTestProbe(EgressProtocol.Started.class).ref()),
        new EgressProtocol.Start(EgressRequest.tracks(), "moon", null, "EG_1",
            kit.createTestProbe(EgressProtocol.Started.class).ref()),
        new EgressProtocol.Started(ended, Outcome.DONE, null),
        new EgressProtocol.Started(null, Outcome.INVALID, "Recording is off in this room."),
        new EgressProtocol.Find("EG_1", kit.createTestProbe(EgressProtocol.Found.class).ref()),
        new EgressProtocol.Found(ended, egressNode), new EgressProtocol.Found(null, egressNode),
        new EgressProtocol.ListHere("moon", kit.createTestProbe(EgressProtocol.Listed.class).ref()),
        new EgressProtocol.ListHere(null, kit.createTestProbe(EgressProtocol.Listed.class).ref()),
        new EgressProtocol.Listed(List.of(ended)),
        new EgressProtocol.ReadChunk("EG_1", "meeting.mp4", false, 131072L,
            kit.createTestProbe(EgressProtocol.Chunk.class).ref()),
        new EgressProtocol.Chunk(true, 5, new byte[] {1, 2, 3, 4, 5}), new EgressProtocol.Chunk(false, 0, new byte[0]),
        new uk.co.lchat.node.stats.StatsProtocol.GetNodeStats(
            kit.createTestProbe(uk.co.lchat.node.stats.StatsProtocol.NodeStats.class).ref()),
        new uk.co.lchat.node.stats.StatsProtocol.NodeStats("pekko://lchat@127.0.0.1:25520", "{\"participants\":2}"));
  }

  @Test
  void everyMessageThatCrossesNodesHasASample() {
    Set<Class<?>> sampled = samples().stream().map(Object::getClass).collect(Collectors.toSet());
    List<Class<?>> crossing = java.util.stream.Stream.of(RoomProtocol.class.getDeclaredClasses(),
            MediaRouterProtocol.class.getDeclaredClasses(),
            uk.co.lchat.node.stats.StatsProtocol.class.getDeclaredClasses(),
            EgressProtocol.class.getDeclaredClasses())
        .flatMap(Arrays::stream)
        .filter(c -> c.isRecord() && java.lang.reflect.Modifier.isPublic(c.getModifiers()))
        .filter(c -> Command.class.isAssignableFrom(c) || ClientEvent.class.isAssignableFrom(c)
            || MediaRouterProtocol.Command.class.isAssignableFrom(c)
            || MediaRouterProtocol.MediaEvent.class.isAssignableFrom(c)
            || uk.co.lchat.node.stats.StatsProtocol.Command.class.isAssignableFrom(c)
            || c == uk.co.lchat.node.stats.StatsProtocol.NodeStats.class
            || c == uk.co.lchat.node.stats.StatsProtocol.NodeInfo.class
            || ServerAnswer.class.isAssignableFrom(c) || RoomProtocol.RecorderEvent.class.isAssignableFrom(c)
            || c == RoomProtocol.PresentationReply.class || c == RoomProtocol.DocumentDropped.class
            || c == RoomInfo.class || c == TrackList.class || c == MediaRouterProtocol.RouterStatus.class
            || EgressProtocol.Command.class.isAssignableFrom(c) || EgressProtocol.Reply.class.isAssignableFrom(c))
        .toList();
    for (Class<?> c : crossing) {
      assertTrue(sampled.contains(c), "no Kryo round-trip sample for " + c.getSimpleName());
    }
  }

  @Test
  void everyRoomMessageRoundTripsThroughKryo() {
    Serialization serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
    for (Object message : samples()) {
      Serializer serializer = serialization.findSerializerFor(message);
      assertInstanceOf(KryoSerializer.class, serializer, message.getClass().getSimpleName());
      byte[] bytes = serialization.serialize(message).get();
      Object back = serialization.deserialize(bytes, serializer.identifier(), "").get();
      assertEquals(message, back);
    }
  }

  @Test
  void unregisteredClassesAreRefusedRatherThanJavaSerialized() {
    KryoSerializer kryo = new KryoSerializer((org.apache.pekko.actor.ExtendedActorSystem)
        Adapter.toClassic(kit.system()));
    try {
      kryo.toBinary(new java.util.Date());
      throw new AssertionError("a Date is not registered and must be refused");
    } catch (IllegalArgumentException expected) {
      assertTrue(expected.getMessage().contains("not registered"));
    }
  }
}
