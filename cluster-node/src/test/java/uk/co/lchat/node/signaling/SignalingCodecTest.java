package uk.co.lchat.node.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import uk.co.lchat.node.recording.RecordingDownloads;
import uk.co.lchat.media.control.VideoConstraints;
import uk.co.lchat.node.signaling.Inbound.*;
import uk.co.lchat.room.RoomProtocol.*;

class SignalingCodecTest {
  static final ObjectMapper JSON = new ObjectMapper();

  private static Command roomCommand(String json) {
    Inbound in = SignalingCodec.decode(json);
    return assertInstanceOf(ForRoom.class, in, () -> json + " -> " + in).command().apply("me");
  }

  @Test
  void everyRoomCommandDecodesToItsRoomProtocolMessage() {
    assertEquals(new SendChat("me", "hi", null), roomCommand("{\"type\":\"chat\",\"text\":\"hi\"}"));
    assertEquals(new SendChat("me", "hi", "bob"), roomCommand("{\"type\":\"chat\",\"text\":\"hi\",\"to\":\"bob\"}"));
    assertEquals(new SetOwnMute("me", true, false), roomCommand("{\"type\":\"mute\",\"audio\":true,\"video\":false}"));
    assertEquals(new RequestMute("me", "bob", MediaKind.VIDEO),
        roomCommand("{\"type\":\"muteParticipant\",\"target\":\"bob\",\"kind\":\"video\"}"));
    assertEquals(new Remove("me", "bob"), roomCommand("{\"type\":\"remove\",\"target\":\"bob\"}"));
    assertEquals(new GrantModerator("me", "bob"), roomCommand("{\"type\":\"grantModerator\",\"target\":\"bob\"}"));
    assertEquals(new SetPasscode("me", "pw"), roomCommand("{\"type\":\"setPasscode\",\"passcode\":\"pw\"}"));
    assertEquals(new SetPasscode("me", null), roomCommand("{\"type\":\"setPasscode\",\"passcode\":null}"));
    assertEquals(new SetLobby("me", true), roomCommand("{\"type\":\"setLobby\",\"enabled\":true}"));
    assertEquals(new Admit("me", "L1"), roomCommand("{\"type\":\"admit\",\"lobbyId\":\"L1\"}"));
    assertEquals(new Deny("me", "L1"), roomCommand("{\"type\":\"deny\",\"lobbyId\":\"L1\"}"));
    assertEquals(new SetHand("me", true), roomCommand("{\"type\":\"raiseHand\"}"));
    assertEquals(new SetDisplayName("me", "Robert"), roomCommand("{\"type\":\"setName\",\"name\":\"Robert\"}"));
    assertEquals(new SetHand("me", false), roomCommand("{\"type\":\"lowerHand\"}"));
    assertEquals(new LowerHand("me", "bob"), roomCommand("{\"type\":\"lowerHand\",\"target\":\"bob\"}"));
    assertEquals(new SetControllerMode("me", true), roomCommand("{\"type\":\"setControllerMode\",\"enabled\":true}"));
    assertEquals(new SetFeature("me", "chat", false),
        roomCommand("{\"type\":\"setFeature\",\"flag\":\"chat\",\"enabled\":false}"));
    assertEquals(new ControlSharedVideo("me", SharedVideoAction.SEEK, null, 42.5),
        roomCommand("{\"type\":\"sharedVideo\",\"action\":\"seek\",\"position\":42.5}"));
    assertEquals(new ControlSharedVideo("me", SharedVideoAction.START, "https://youtu.be/x", 0),
        roomCommand("{\"type\":\"sharedVideo\",\"action\":\"start\",\"url\":\"https://youtu.be/x\"}"));
  }

  @Test
  void aSharedPageIsSharedOrStoppedAndItsChangesEncodeWithTheirFraming() throws Exception {
    assertEquals(new ControlSharedPage("me", SharedPageAction.SHARE, "https://example.com/a"),
        roomCommand("{\"type\":\"sharedPage\",\"action\":\"share\",\"url\":\"https://example.com/a\"}"));
    assertEquals(new ControlSharedPage("me", SharedPageAction.STOP, null),
        roomCommand("{\"type\":\"sharedPage\",\"action\":\"stop\"}"));
    JsonNode page = JSON.readTree(SignalingCodec.encode(new SharedPageChanged(new SharedPage("https://example.com/a",
        "p1", Framing.REFUSED, "X-Frame-Options: DENY"))));
    assertEquals("sharedPage", page.get("type").asText());
    assertEquals("https://example.com/a", page.get("page").get("url").asText());
    assertEquals("p1", page.get("page").get("sharedBy").asText());
    assertEquals("refused", page.get("page").get("framing").asText());
    assertEquals("X-Frame-Options: DENY", page.get("page").get("framingDetail").asText());
    assertTrue(JSON.readTree(SignalingCodec.encode(new SharedPageChanged(null))).get("page").isNull());
  }

  @Test
  void lastNAndReceiverConstraintsAreCheckedFields() throws Exception {
    assertEquals(new SetLastN("me", 9), roomCommand("{\"type\":\"setLastN\",\"lastN\":9}"));
    assertEquals(new SetReceiverConstraints("me", List.of("bob", "cat"), -1),
        roomCommand("{\"type\":\"receiverConstraints\",\"pinned\":[\"bob\",\"cat\"]}"));
    assertEquals(new SetReceiverConstraints("me", List.of(), 3),
        roomCommand("{\"type\":\"receiverConstraints\",\"lastN\":3}"));
    for (String bad : List.of("{\"type\":\"setLastN\"}", "{\"type\":\"setLastN\",\"lastN\":2.5}",
        "{\"type\":\"setLastN\",\"lastN\":\"9\"}", "{\"type\":\"receiverConstraints\",\"pinned\":\"bob\"}",
        "{\"type\":\"receiverConstraints\",\"pinned\":[1,2]}",
        "{\"type\":\"receiverConstraints\",\"pinned\":[" + "\"x\",".repeat(101) + "\"x\"]}")) {
      assertEquals("invalid", assertInstanceOf(Invalid.class, SignalingCodec.decode(bad), bad).code(), bad);
    }
  }

  @Test
  void videoConstraintsNameAHeightPerSourceAndADefaultAndBadHeightsAreRefused() {
    VideoConstraints c = assertInstanceOf(VideoConstraintsRequest.class, SignalingCodec.decode(
        "{\"type\":\"videoConstraints\",\"defaultMaxHeight\":180,\"maxHeights\":{\"bob\":720,\"cat\":0}}"))
        .constraints();
    assertEquals(180, c.defaultMaxHeight());
    assertEquals(Map.of("bob", 720, "cat", 0), c.maxHeights());
    VideoConstraints none = assertInstanceOf(VideoConstraintsRequest.class,
        SignalingCodec.decode("{\"type\":\"videoConstraints\"}")).constraints();
    assertEquals(VideoConstraints.NONE, none, "no fields: no limits");
    VideoConstraints huge = assertInstanceOf(VideoConstraintsRequest.class, SignalingCodec.decode(
        "{\"type\":\"videoConstraints\",\"defaultMaxHeight\":99999999999,\"maxHeights\":{\"bob\":100000}}"))
        .constraints();
    assertEquals(VideoConstraints.MAX_HEIGHT, huge.defaultMaxHeight(), "a huge height is clamped");
    assertEquals(VideoConstraints.MAX_HEIGHT, huge.maxHeights().get("bob"));
    StringBuilder many = new StringBuilder("{\"type\":\"videoConstraints\",\"maxHeights\":{");
    for (int i = 0; i <= VideoConstraints.MAX_SOURCES; i++) {
      many.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":180");
    }
    many.append("}}");
    for (String bad : List.of("{\"type\":\"videoConstraints\",\"defaultMaxHeight\":-1}",
        "{\"type\":\"videoConstraints\",\"defaultMaxHeight\":360.5}",
        "{\"type\":\"videoConstraints\",\"defaultMaxHeight\":\"720\"}",
        "{\"type\":\"videoConstraints\",\"maxHeights\":[720]}",
        "{\"type\":\"videoConstraints\",\"maxHeights\":{\"bob\":-180}}",
        "{\"type\":\"videoConstraints\",\"maxHeights\":{\"bob\":null}}",
        "{\"type\":\"videoConstraints\",\"maxHeights\":{\"\":180}}",
        "{\"type\":\"videoConstraints\",\"maxHeights\":{\"" + "x".repeat(129) + "\":180}}",
        many.toString())) {
      assertEquals("invalid", assertInstanceOf(Invalid.class, SignalingCodec.decode(bad), bad).code(), bad);
    }
  }

  @Test
  void aRecordingStartMayAlsoStreamToRtmpAndHlsOrStreamWithoutAFile() {
    StartRecordingRequest plain = assertInstanceOf(StartRecordingRequest.class,
        SignalingCodec.decode("{\"type\":\"startRecording\",\"output\":\"track\"}"));
    assertEquals(List.of("recording"), plain.request().features());
    StartRecordingRequest live = assertInstanceOf(StartRecordingRequest.class, SignalingCodec.decode(
        "{\"type\":\"startRecording\",\"rtmp\":[\"rtmps://live.example.com/app/key\"],\"hls\":true,\"file\":false}"));
    assertEquals(List.of("rtmps://live.example.com/app/key"), live.request().rtmp());
    assertTrue(live.request().hls());
    assertEquals(List.of("streaming"), live.request().features(), "a stream alone keeps no file");
    for (String bad : List.of("{\"type\":\"startRecording\",\"rtmp\":\"rtmp://x/y\"}",
        "{\"type\":\"startRecording\",\"rtmp\":[1]}",
        "{\"type\":\"startRecording\",\"rtmp\":[\"ftp://x/y\"]}",
        "{\"type\":\"startRecording\",\"output\":\"track\",\"hls\":true}",
        "{\"type\":\"startRecording\",\"rtmp\":[" + "\"rtmp://x/y\",".repeat(5) + "\"rtmp://x/y\"]}",
        "{\"type\":\"startRecording\",\"file\":false}")) {
      assertEquals("invalid", assertInstanceOf(Invalid.class, SignalingCodec.decode(bad), bad).code(), bad);
    }
  }

  @Test
  void peerMessagesCarryAnObjectBothWays() throws Exception {
    assertEquals(new RelayToPeer("me", "bob", "{\"sdp\":\"v=0\"}"),
        roomCommand("{\"type\":\"peer\",\"to\":\"bob\",\"payload\":{\"sdp\":\"v=0\"}}"));
    for (String bad : List.of("{\"type\":\"peer\",\"to\":\"bob\"}", "{\"type\":\"peer\",\"payload\":{}}",
        "{\"type\":\"peer\",\"to\":\"bob\",\"payload\":\"text\"}")) {
      assertEquals("invalid", assertInstanceOf(Invalid.class, SignalingCodec.decode(bad), bad).code());
    }
    JsonNode out = JSON.readTree(SignalingCodec.encode(new PeerRelayed("ann", "{\"candidate\":\"x\"}")));
    assertEquals("peer", out.get("type").asText());
    assertEquals("ann", out.get("from").asText());
    assertEquals("x", out.get("payload").get("candidate").asText());
  }

  @Test
  void trickledCandidatesAreValidatedAndBadOnesGetAClearError() {
    String chrome = "candidate:842163049 1 udp 1677729535 192.0.2.7 61434 typ srflx raddr 10.0.0.2 rport 61434"
        + " generation 0 ufrag Abcd network-cost 999";
    assertEquals(new CandidateRequest("subscribe", chrome), SignalingCodec.decode(
        "{\"type\":\"candidate\",\"connection\":\"subscribe\",\"candidate\":\"" + chrome + "\"}"));
    assertEquals(new CandidateRequest("publish", ""),
        SignalingCodec.decode("{\"type\":\"candidate\",\"candidate\":\"\"}"), "end of candidates");
    for (String bad : List.of("{\"type\":\"candidate\"}", "{\"type\":\"candidate\",\"candidate\":\"hello\"}",
        "{\"type\":\"candidate\",\"candidate\":\"" + chrome + "\",\"connection\":\"both\"}",
        "{\"type\":\"candidate\",\"candidate\":7}")) {
      Invalid invalid = assertInstanceOf(Invalid.class, SignalingCodec.decode(bad), bad);
      assertEquals("invalid", invalid.code());
    }
  }

  @Test
  void aJoinWithATokenNeedsNoNameAndAJoinWithoutOneDoes() {
    assertEquals(new JoinRequest("moon", "", null, false, null, null, "a.b.c"),
        SignalingCodec.decode("{\"type\":\"join\",\"room\":\"moon\",\"token\":\"a.b.c\"}"));
    assertEquals("invalid", assertInstanceOf(Invalid.class,
        SignalingCodec.decode("{\"type\":\"join\",\"room\":\"moon\"}")).code());
    assertEquals("invalid", assertInstanceOf(Invalid.class,
        SignalingCodec.decode("{\"type\":\"join\",\"room\":\"moon\",\"token\":42}")).code());
    assertEquals("invalid", assertInstanceOf(Invalid.class, SignalingCodec.decode(
        "{\"type\":\"join\",\"room\":\"moon\",\"token\":\"" + "x".repeat(9000) + "\"}")).code(),
        "a huge token is refused before anything reads it");
  }

  @Test
  void dataEndedAndTheLobbysReasonEncode() throws Exception {
    JsonNode data = encoded(new DataReceived("poll", "{\"q\":[1,2]}"));
    assertEquals("data", data.get("type").asText());
    assertEquals("poll", data.get("topic").asText());
    assertEquals(2, data.get("payload").get("q").get(1).asInt());
    assertEquals("api", encoded(new RoomEnded("api")).get("reason").asText());
    assertEquals("host", encoded(new LobbyWaiting("L1", true)).get("waitingFor").asText());
    assertEquals("moderator", encoded(new LobbyWaiting("L1")).get("waitingFor").asText());
  }

  @Test
  void listRecordingsDecodesAndTheRecordingsEncodeWithTheirLinks() throws Exception {
    assertInstanceOf(ListRecordingsRequest.class, SignalingCodec.decode("{\"type\":\"listRecordings\"}"));
    assertInstanceOf(ListRecordingsRequest.class, SignalingCodec.decode(
        "{\"type\":\"listRecordings\",\"room\":7,\"extra\":[1]}"), "fields it does not take are ignored");

    var file = new RecordingDownloads.ListedFile("Ann-k3m9x2p7qa-audio-a1.webm", "Ann", "audio", 81234, 12.94,
        "/recordings/AAAAAAAAAAAAAAAAAAAAAA");
    JsonNode out = JSON.readTree(SignalingCodec.recordings(List.of(
        new RecordingDownloads.Listed("EG_2", "composite", "active", null, 20_000, 0, List.of()),
        new RecordingDownloads.Listed("EG_1", "track", "ended", "stopped", 1000, 14_000, List.of(file)))));
    assertEquals("recordings", out.get("type").asText());
    JsonNode running = out.get("recordings").get(0);
    assertEquals("EG_2", running.get("egressId").asText());
    assertEquals("active", running.get("status").asText());
    assertTrue(running.get("reason").isNull());
    assertEquals(0, running.get("files").size());
    JsonNode ended = out.get("recordings").get(1);
    assertEquals("track", ended.get("type").asText());
    assertEquals("stopped", ended.get("reason").asText());
    assertEquals(1000, ended.get("startedAtMillis").asLong());
    assertEquals(14_000, ended.get("endedAtMillis").asLong());
    JsonNode f = ended.get("files").get(0);
    assertEquals("Ann-k3m9x2p7qa-audio-a1.webm", f.get("name").asText());
    assertEquals("Ann", f.get("displayName").asText());
    assertEquals("audio", f.get("kind").asText());
    assertEquals(81234, f.get("sizeBytes").asLong());
    assertEquals(12.94, f.get("durationSeconds").asDouble());
    assertEquals("/recordings/AAAAAAAAAAAAAAAAAAAAAA", f.get("downloadUrl").asText());
    assertEquals(0, JSON.readTree(SignalingCodec.recordings(List.of())).get("recordings").size(),
        "none yet: an empty list, never a missing field");
  }

  @Test
  void joinLeaveAndPingDecode() {
    assertEquals(new JoinRequest("moon", "Ann", "pw", true, null, null, null),
        SignalingCodec.decode("{\"type\":\"join\",\"room\":\"moon\",\"name\":\"Ann\",\"passcode\":\"pw\",\"viewer\":true}"));
    assertEquals(new JoinRequest("moon", "Ann", null, false, "abcdefghijklmnopqrst", null, null),
        SignalingCodec.decode("{\"type\":\"join\",\"room\":\"moon\",\"name\":\"Ann\",\"sessionToken\":\"abcdefghijklmnopqrst\"}"));
    assertEquals(new JoinRequest("moon", "Ann", null, false, "abcdefghijklmnopqrst", "k3x9q2w7pa", null),
        SignalingCodec.decode("{\"type\":\"join\",\"room\":\"moon\",\"name\":\"Ann\",\"sessionToken\":"
            + "\"abcdefghijklmnopqrst\",\"resume\":\"k3x9q2w7pa\"}"));
    // A resume without the token it joined with, or with an id that is not one, is refused.
    assertEquals("invalid", assertInstanceOf(Invalid.class, SignalingCodec.decode(
        "{\"type\":\"join\",\"room\":\"moon\",\"name\":\"Ann\",\"resume\":\"k3x9q2w7pa\"}")).code());
    assertEquals("invalid", assertInstanceOf(Invalid.class, SignalingCodec.decode(
        "{\"type\":\"join\",\"room\":\"moon\",\"name\":\"Ann\",\"sessionToken\":\"abcdefghijklmnopqrst\","
            + "\"resume\":\"../x\"}")).code());
    assertInstanceOf(LeaveRequest.class, SignalingCodec.decode("{\"type\":\"leave\"}"));
    assertInstanceOf(Ping.class, SignalingCodec.decode("{\"type\":\"ping\"}"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not json", "{", "[1,2]", "42", "\"text\"", "null", "{\"type\":1"})
  void unreadableMessagesAreBadJson(String text) {
    assertEquals("bad_json", assertInstanceOf(Invalid.class, SignalingCodec.decode(text)).code());
  }

  @Test
  void unknownTypesAreNamedAsSuch() {
    Invalid invalid = assertInstanceOf(Invalid.class, SignalingCodec.decode("{\"type\":\"teleport\"}"));
    assertEquals("unknown_type", invalid.code());
    assertTrue(invalid.message().contains("teleport"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{}", "{\"type\":null}", "{\"type\":3}",
      "{\"type\":\"join\",\"name\":\"Ann\"}",
      "{\"type\":\"join\",\"room\":\"moon\"}",
      "{\"type\":\"join\",\"room\":\"bad room\",\"name\":\"Ann\"}",
      "{\"type\":\"join\",\"room\":\"moon\",\"name\":\"Ann\",\"sessionToken\":\"short\"}",
      "{\"type\":\"join\",\"room\":\"moon\",\"name\":7}",
      "{\"type\":\"join\",\"room\":\"moon\",\"name\":\"Ann\",\"viewer\":\"yes\"}",
      "{\"type\":\"chat\"}",
      "{\"type\":\"chat\",\"text\":{\"a\":1}}",
      "{\"type\":\"mute\",\"audio\":true}",
      "{\"type\":\"muteParticipant\",\"target\":\"x\",\"kind\":\"smell\"}",
      "{\"type\":\"setLobby\",\"enabled\":\"on\"}",
      "{\"type\":\"sharedVideo\",\"action\":\"rewind\"}",
      "{\"type\":\"sharedVideo\",\"action\":\"seek\",\"position\":\"ten\"}",
      "{\"type\":\"sharedPage\",\"action\":\"share\"}",
      "{\"type\":\"sharedPage\",\"action\":\"share\",\"url\":42}",
      "{\"type\":\"sharedPage\",\"action\":\"navigate\",\"url\":\"https://example.com/\"}"})
  void missingOrMistypedFieldsAreInvalid(String text) {
    assertEquals("invalid", assertInstanceOf(Invalid.class, SignalingCodec.decode(text)).code(), text);
  }

  @Test
  void hugeFieldsAreRefused() {
    String text = "{\"type\":\"chat\",\"text\":\"" + "x".repeat(9000) + "\"}";
    assertEquals("invalid", assertInstanceOf(Invalid.class, SignalingCodec.decode(text)).code());
  }

  @Test
  void helloNamesTheOtherNodesToFailOverTo() throws Exception {
    JsonNode hello = JSON.readTree(SignalingCodec.hello("tok", "pekko://lchat@10.0.0.1:25520",
        List.of("ws://10.0.0.2:8080/ws", "ws://10.0.0.3:8080/ws")));
    assertEquals("hello", hello.get("type").asText());
    assertEquals("tok", hello.get("sessionToken").asText());
    assertEquals("ws://10.0.0.2:8080/ws", hello.get("nodes").get(0).asText());
    assertEquals(2, hello.get("nodes").size());
    assertTrue(JSON.readTree(SignalingCodec.hello("tok", "n", List.of())).get("nodes").isArray(),
        "alone in the cluster: an empty list, never a missing field");
  }

  private static JsonNode encoded(ClientEvent event) throws Exception {
    return JSON.readTree(SignalingCodec.encode(event));
  }

  @Test
  void everyRoomEventEncodesWithItsType() throws Exception {
    var features = new LinkedHashMap<String, Boolean>();
    features.put("chat", true);
    var settings = new RoomSettings(true, false, false, features, 25);
    var video = new SharedVideoState("https://youtu.be/x", true, 3.5, 1000, "p1");
    var ann = new ParticipantView("p1", "Ann", Role.MODERATOR, false, true, false, 1);
    var snapshot = new RoomSnapshot("moon", new ArrayList<>(List.of(ann)), settings, new ArrayList<>(), video, null,
        new ArrayList<>());
    JsonNode joined = encoded(new Joined("p1", Role.MODERATOR, snapshot));
    assertEquals("joined", joined.get("type").asText());
    assertEquals("moderator", joined.get("role").asText());
    assertEquals("Ann", joined.get("room").get("participants").get(0).get("displayName").asText());
    assertTrue(joined.get("room").get("settings").get("passcodeSet").asBoolean());
    assertEquals(3.5, joined.get("room").get("sharedVideo").get("positionSeconds").asDouble());

    assertEquals("lobby", encoded(new LobbyWaiting("L1")).get("type").asText());
    JsonNode refused = encoded(new JoinRefused("passcode_wrong", "The passcode is wrong."));
    assertEquals("refused", refused.get("type").asText());
    assertEquals("passcode_wrong", refused.get("code").asText());
    assertEquals("roster", encoded(new RosterChanged(new ArrayList<>(List.of(ann)))).get("type").asText());
    JsonNode delta = encoded(new RosterDelta(new ArrayList<>(List.of(ann)), new ArrayList<>(List.of("p9"))));
    assertEquals("rosterDelta", delta.get("type").asText());
    assertEquals("Ann", delta.get("participants").get(0).get("displayName").asText());
    assertEquals("p9", delta.get("left").get(0).asText());
    assertEquals("L1", encoded(new LobbyChanged(new ArrayList<>(List.of(new LobbyEntry("L1", "Cat")))))
        .get("waiting").get(0).get("lobbyId").asText());
    JsonNode chat = encoded(new ChatDelivered(new ChatMessage("p1", "Ann", "p2", "hi", 5)));
    assertEquals("chat", chat.get("type").asText());
    assertEquals("p2", chat.get("message").get("to").asText());
    JsonNode mute = encoded(new MuteRequested(MediaKind.AUDIO, "p1"));
    assertEquals("muteRequest", mute.get("type").asText());
    assertEquals("audio", mute.get("kind").asText());
    assertEquals("removed", encoded(new Removed("p1")).get("type").asText());
    assertEquals("moderator", encoded(new RoleChanged(Role.MODERATOR)).get("role").asText());
    assertEquals("p2", encoded(new HandsChanged(new ArrayList<>(List.of("p2")))).get("queue").get(0).asText());
    assertEquals("settings", encoded(new SettingsChanged(settings)).get("type").asText());
    assertEquals("sharedVideo", encoded(new SharedVideoChanged(video)).get("type").asText());
    assertTrue(encoded(new DominantSpeakerChanged(null)).get("participantId").isNull());
    JsonNode error = encoded(new CommandRejected("forbidden", "no"));
    assertEquals("error", error.get("type").asText());
    assertEquals("forbidden", error.get("code").asText());
  }
}
