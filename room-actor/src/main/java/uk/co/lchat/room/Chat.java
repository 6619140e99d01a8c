package uk.co.lchat.room;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import uk.co.lchat.room.RoomProtocol.ChatMessage;

/**
 * The room's chat: group messages, of which the last {@code lchat.room.chat-history} are kept for people who join
 * later, and private messages between two participants, which are never kept. Messages need text, at most
 * {@code lchat.room.max-chat-length} characters; the room's feature flags may turn either kind off. Owned by the
 * room actor; a plain object with no actor state.
 */
final class Chat {
  /** What sending comes to: a message for everyone, one for its two ends, or a refusal for the sender. */
  sealed interface Outcome {
    record ToEveryone(ChatMessage message) implements Outcome {}

    record Private(ChatMessage message, Participant to) implements Outcome {}

    record Refused(String code, String message) implements Outcome {}
  }

  private final int maxLength;
  private final int historySize;
  private final ArrayDeque<ChatMessage> history = new ArrayDeque<>();

  Chat(int maxLength, int historySize) {
    this.maxLength = maxLength;
    this.historySize = historySize;
  }

  /**
   * {@code from} sends {@code text} to everyone ({@code toId} null) or to one participant of {@code roster};
   * {@code chatOn} and {@code privateChatOn} are the room's {@code chat} and {@code privateChat} flags.
   */
  Outcome send(Participant from, String text, String toId, Roster roster, boolean chatOn, boolean privateChatOn,
               long now) {
    if (!chatOn) {
      return new Outcome.Refused("forbidden", "Chat is turned off in this meeting.");
    }
    if (text == null || text.isBlank()) {
      return new Outcome.Refused("invalid", "A chat message needs some text.");
    }
    if (text.length() > maxLength) {
      return new Outcome.Refused("too_large", "Chat messages are limited to " + maxLength + " characters.");
    }
    if (toId == null) {
      ChatMessage message = new ChatMessage(from.id, from.displayName, null, text, now);
      if (historySize > 0) {
        if (history.size() == historySize) {
          history.removeFirst();
        }
        history.addLast(message);
      }
      return new Outcome.ToEveryone(message);
    }
    if (!privateChatOn) {
      return new Outcome.Refused("forbidden", "Private chat is turned off in this meeting.");
    }
    Participant to = roster.get(toId);
    if (to == null) {
      return new Outcome.Refused("not_found", "That participant is not in the meeting.");
    }
    if (to == from) {
      return new Outcome.Refused("invalid", "You cannot send a private message to yourself.");
    }
    return new Outcome.Private(new ChatMessage(from.id, from.displayName, to.id, text, now), to);
  }

  /** The group messages kept for late joiners, oldest first. */
  List<ChatMessage> history() {
    return new ArrayList<>(history);
  }

  /** Takes over a previous incarnation's history. */
  void restore(Collection<ChatMessage> messages) {
    history.addAll(messages);
  }
}
