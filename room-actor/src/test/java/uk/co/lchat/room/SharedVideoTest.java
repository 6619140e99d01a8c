package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

import uk.co.lchat.room.RoomProtocol.Role;
import uk.co.lchat.room.RoomProtocol.SharedVideoAction;
import uk.co.lchat.room.RoomProtocol.SharedVideoState;

/** The shared video's rules, without an actor. */
class SharedVideoTest {
  private static final String VIDEO = "https://www.youtube.com/watch?v=abc";

  private final Roster roster = new Roster();
  private final Participant mod = roster.add("t1", "Mod", Role.MODERATOR, null, null);
  private final Participant ann = roster.add("t2", "Ann", Role.PARTICIPANT, null, null);
  private final Participant bob = roster.add("t3", "Bob", Role.PARTICIPANT, null, null);
  private final SharedVideo video = new SharedVideo(List.of("youtube.com", "youtu.be"));

  private SharedVideoState changed(SharedVideo.Outcome o) {
    return assertInstanceOf(SharedVideo.Outcome.Changed.class, o).state();
  }

  private static void assertRefused(String code, String message, SharedVideo.Outcome o) {
    assertEquals(new SharedVideo.Outcome.Refused(code, message), o);
  }

  @Test
  void anyoneStartsAVideoFromAnAllowedHostOrOneOfItsSubdomains() {
    SharedVideoState s = changed(video.control(ann, SharedVideoAction.START, VIDEO, 0, 100));
    assertEquals(new SharedVideoState(VIDEO, true, 0, 100, ann.id), s);
    assertEquals(s, video.state());
    changed(video.control(ann, SharedVideoAction.START, "https://YOUTU.BE/abc", 0, 200));
  }

  @Test
  void otherHostsAndAddressesThatAreNotWebPagesAreRefused() {
    assertRefused("forbidden", "Videos can be shared from youtube.com, youtu.be only.",
        video.control(ann, SharedVideoAction.START, "https://notyoutube.com/x", 0, 1));
    assertRefused("invalid", "A shared video needs an http or https URL.",
        video.control(ann, SharedVideoAction.START, "javascript:alert(1)", 0, 1));
    assertRefused("invalid", "A shared video needs an http or https URL.",
        video.control(ann, SharedVideoAction.START, null, 0, 1));
    assertRefused("invalid", "Say what to do with the shared video.", video.control(ann, null, VIDEO, 0, 1));
    assertNull(video.state().url());
  }

  @Test
  void onlyTheSharerOrAModeratorControlsTheVideoOrReplacesIt() {
    changed(video.control(ann, SharedVideoAction.START, VIDEO, 0, 1));
    assertRefused("forbidden", "Only the person who shared the video or a moderator controls it.",
        video.control(bob, SharedVideoAction.PAUSE, null, 5, 2));
    assertRefused("forbidden", "Someone else is sharing a video.",
        video.control(bob, SharedVideoAction.START, VIDEO, 0, 2));
    assertEquals(new SharedVideoState(VIDEO, false, 5, 3, ann.id),
        changed(video.control(ann, SharedVideoAction.PAUSE, null, 5, 3)));
    assertEquals(new SharedVideoState(VIDEO, false, 42, 4, ann.id),
        changed(video.control(mod, SharedVideoAction.SEEK, null, 42, 4)), "a seek keeps play or pause");
    assertEquals(new SharedVideoState(VIDEO, true, 42, 5, ann.id),
        changed(video.control(mod, SharedVideoAction.PLAY, null, 42, 5)), "the sharer stays in control");
    assertEquals(new SharedVideoState(null, false, 0, 6, null),
        changed(video.control(ann, SharedVideoAction.STOP, null, Double.NaN, 6)));
  }

  @Test
  void aPositionIsAFiniteNumberOfSecondsZeroOrMore() {
    changed(video.control(ann, SharedVideoAction.START, VIDEO, 0, 1));
    for (double bad : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertRefused("invalid", "A position is a number of seconds, zero or more.",
          video.control(ann, SharedVideoAction.SEEK, null, bad, 2));
    }
  }

  @Test
  void nothingIsControlledWhileNothingIsShared() {
    assertRefused("invalid", "No video is being shared.", video.control(mod, SharedVideoAction.PLAY, null, 0, 1));
  }

  @Test
  void turningTheFeatureOffStopsAVideoThatPlaysAndNothingElse() {
    assertNull(video.turnedOff(1));
    changed(video.control(ann, SharedVideoAction.START, VIDEO, 0, 1));
    assertEquals(new SharedVideoState(null, false, 0, 2, null), video.turnedOff(2));
    assertNull(video.state().url());
  }
}
