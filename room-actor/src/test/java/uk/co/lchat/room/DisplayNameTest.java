package uk.co.lchat.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** What a display name may be, without an actor. */
class DisplayNameTest {
  @Test
  void aNameIsTrimmedAndNormalisedSoLookAlikeSpellingsAreOne() {
    assertEquals("Ann", DisplayName.valid("  Ann \t", 64));
    assertEquals("Zo\u00eb", DisplayName.valid("Zoe\u0308", 64), "e + combining diaeresis is one letter");
  }

  @Test
  void anEmptyOrTooLongNameIsRefused() {
    assertNull(DisplayName.valid(null, 64));
    assertNull(DisplayName.valid("   ", 64));
    assertEquals("abcd", DisplayName.valid("abcd", 4));
    assertNull(DisplayName.valid("abcde", 4));
  }

  @Test
  void controlAndInvisibleCharactersThatDisguiseANameAreRefused() {
    assertNull(DisplayName.valid("An\u0000n", 64));
    assertNull(DisplayName.valid("A\u200Bnn", 64), "zero-width space");
    assertNull(DisplayName.valid("\u202EnnA", 64), "right-to-left override");
    assertNull(DisplayName.valid("Ann\u200D", 64), "a joiner that joins nothing");
  }

  @Test
  void aZeroWidthJoinerBetweenEmojiIsKept() {
    String family = "\uD83D\uDC69\u200D\uD83D\uDC67"; // woman, ZWJ, girl: one emoji
    assertEquals("Ann " + family, DisplayName.valid("Ann " + family, 64));
  }
}
