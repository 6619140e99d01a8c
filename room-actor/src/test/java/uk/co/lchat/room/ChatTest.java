package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import uk.co.lchat.room.RoomProtocol.ChatMessage;
import uk.co.lchat.room.RoomProtocol.Role;

/** The chat's rules, without an actor. */
class ChatTest {
  private final Roster roster = new Roster();
  private final Participant ann = roster.add("t1", "Ann", Role.MODERATOR, null, null);
  private final Participant bob = roster.add("t2", "Bob", Role.PARTICIPANT, null, null);

  private static void assertRefused(String code, String message, Chat.Outcome o) {
    assertEquals(new Chat.Outcome.Refused(code, message), o);
  }

  @Test
  void groupMessagesGoToEveryoneAndTheLastFewAreKeptForLateJoiners() {
    Chat chat = new Chat(100, 2);
    for (String text : List.of("one", "two", "three")) {
      Chat.Outcome.ToEveryone e = assertInstanceOf(Chat.Outcome.ToEveryone.class,
          chat.send(ann, text, null, roster, true, true, 7));
      assertEquals(new ChatMessage(ann.id, "Ann", null, text, 7), e.message());
    }
    assertEquals(List.of("two", "three"), chat.history().stream().map(ChatMessage::text).toList());
  }

  @Test
  void privateMessagesReachTheirTwoEndsAndAreNeverKept() {
    Chat chat = new Chat(100, 10);
    Chat.Outcome.Private p = assertInstanceOf(Chat.Outcome.Private.class,
        chat.send(ann, "psst", bob.id, roster, true, true, 1));
    assertSame(bob, p.to());
    assertTrue(p.message().isPrivate());
    assertTrue(chat.history().isEmpty());
  }

  @Test
  void aMessageNeedsTextWithinTheLimit() {
    Chat chat = new Chat(5, 10);
    assertRefused("invalid", "A chat message needs some text.", chat.send(ann, " ", null, roster, true, true, 1));
    assertRefused("invalid", "A chat message needs some text.", chat.send(ann, null, null, roster, true, true, 1));
    assertRefused("too_large", "Chat messages are limited to 5 characters.",
        chat.send(ann, "123456", null, roster, true, true, 1));
  }

  @Test
  void theRoomsFlagsTurnChatOrPrivateChatOff() {
    Chat chat = new Chat(100, 10);
    assertRefused("forbidden", "Chat is turned off in this meeting.",
        chat.send(ann, "hi", null, roster, false, true, 1));
    assertRefused("forbidden", "Private chat is turned off in this meeting.",
        chat.send(ann, "hi", bob.id, roster, true, false, 1));
    assertInstanceOf(Chat.Outcome.ToEveryone.class, chat.send(ann, "hi", null, roster, true, false, 1));
  }

  @Test
  void aPrivateMessageGoesToSomeoneElseInTheRoom() {
    Chat chat = new Chat(100, 10);
    assertRefused("not_found", "That participant is not in the meeting.",
        chat.send(ann, "hi", "gone", roster, true, true, 1));
    assertRefused("invalid", "You cannot send a private message to yourself.",
        chat.send(ann, "hi", ann.id, roster, true, true, 1));
  }
}
