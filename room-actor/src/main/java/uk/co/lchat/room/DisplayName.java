package uk.co.lchat.room;

import java.text.Normalizer;

/**
 * What a display name may be: NFC-normalised (so look-alike spellings of the same letters are one name), 1 to
 * {@code lchat.room.max-name-length} characters, and no control or invisible format characters (zero-width spaces,
 * bidirectional overrides and isolates, which make a name display as another, Unicode TR36 §2). A zero-width joiner
 * is kept between emoji, where it builds one emoji out of several. Uniqueness within the room is the
 * {@link Roster}'s.
 */
final class DisplayName {
  private static final int ZERO_WIDTH_JOINER = 0x200D;

  private DisplayName() {}

  /** The name as shown to everyone, or null when it is not acceptable. */
  static String valid(String raw, int maxLength) {
    if (raw == null) {
      return null;
    }
    String name = Normalizer.normalize(raw, Normalizer.Form.NFC).strip();
    if (name.isEmpty() || name.length() > maxLength) {
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

  /** A ZWJ at {@code next - 1} between an emoji (or its variation selector or skin tone) and another emoji. */
  private static boolean joinsEmoji(int before, String name, int next) {
    boolean afterEmoji = before >= 0 && (Character.isExtendedPictographic(before) || before == 0xFE0F
        || Character.isEmojiModifier(before));
    return afterEmoji && next < name.length() && Character.isExtendedPictographic(name.codePointAt(next));
  }
}
