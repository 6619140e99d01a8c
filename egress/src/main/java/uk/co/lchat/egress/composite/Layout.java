package uk.co.lchat.egress.composite;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where each participant goes on a composite recording's picture, as people in the meeting see it: a screen share
 * on stage with everyone else in a strip below; in the speaker layout the dominant speaker on stage; otherwise an
 * even grid. Participants without video get a tile too (their name on the background), as the web client shows
 * them. Every rectangle has even coordinates and sizes, as 4:2:0 chroma planes need.
 */
public enum Layout {
  GRID, SPEAKER;

  /** The track id of the presented document's page, on stage while the room presents one. */
  public static final String PRESENTATION = "presentation";

  /** Tiles beyond this many are not shown (the grid would be unreadable); speakers and screens come first. */
  public static final int MAX_TILES = 16;

  /** One participant in the picture: its camera (null when it sends none), its screen share (or null), its name. */
  public record Person(String participantId, String name, String cameraTrack, String screenTrack) {}

  /** A rectangle of the picture and whose it is: a track's video (null: only the name), and the name to show. */
  public record Tile(String participantId, String trackId, String name, int x, int y, int width, int height) {}

  public static Layout parse(String s) {
    return s == null ? GRID : valueOf(s.toUpperCase(Locale.ROOT));
  }

  /**
   * The tiles for {@code people} (in the room's order) on a {@code width} x {@code height} picture; {@code speaker}
   * is the dominant speaker's participant id, or null.
   */
  public List<Tile> arrange(List<Person> people, String speaker, int width, int height) {
    return arrange(people, speaker, null, width, height);
  }

  /**
   * As {@link #arrange(List, String, int, int)}, with a presented document when {@code presenter} (a participant
   * id) is not null: its page takes the stage as the web client shows it, in either layout and before a screen
   * share, and everyone (the presenter too) goes to the strip below.
   */
  public List<Tile> arrange(List<Person> people, String speaker, String presenter, int width, int height) {
    if (presenter != null) {
      return presenting(people, speaker, presenter, width, height);
    }
    List<Person> ordered = new ArrayList<>(people);
    Person sharing = ordered.stream().filter(p -> p.screenTrack() != null).findFirst().orElse(null);
    Person staged = sharing != null ? sharing
        : this == SPEAKER ? ordered.stream().filter(p -> p.participantId().equals(speaker)).findFirst()
            .orElse(ordered.isEmpty() ? null : ordered.get(0))
        : null;
    if (staged == null) {
      return grid(shown(ordered, speaker, MAX_TILES), 0, 0, width, height);
    }
    List<Tile> tiles = new ArrayList<>();
    List<Person> strip = new ArrayList<>();
    for (Person p : ordered) {
      if (p != staged || sharing != null) {
        strip.add(p); // a sharer's camera stays in the strip beside its screen
      }
    }
    strip = shown(strip, speaker, MAX_TILES - 1);
    int stripHeight = strip.isEmpty() ? 0 : even(height / 5);
    String stageTrack = sharing != null ? sharing.screenTrack() : staged.cameraTrack();
    tiles.add(new Tile(staged.participantId(), stageTrack, staged.name(), 0, 0, width, height - stripHeight));
    strip(tiles, strip, width, height, stripHeight);
    return tiles;
  }

  private static List<Tile> presenting(List<Person> people, String speaker, String presenter, int width,
                                       int height) {
    String name = people.stream().filter(p -> p.participantId().equals(presenter)).map(Person::name).findFirst()
        .orElse("");
    List<Person> strip = shown(new ArrayList<>(people), speaker, MAX_TILES - 1);
    int stripHeight = strip.isEmpty() ? 0 : even(height / 5);
    List<Tile> tiles = new ArrayList<>();
    tiles.add(new Tile(presenter, PRESENTATION, name, 0, 0, width, height - stripHeight));
    strip(tiles, strip, width, height, stripHeight);
    return tiles;
  }

  private static void strip(List<Tile> tiles, List<Person> strip, int width, int height, int stripHeight) {
    if (strip.isEmpty()) {
      return;
    }
    int tileWidth = Math.min(even(stripHeight * 16 / 9), even(width / strip.size()));
    int x = even((width - tileWidth * strip.size()) / 2);
    for (Person p : strip) {
      tiles.add(new Tile(p.participantId(), p.cameraTrack(), p.name(), x, height - stripHeight, tileWidth,
          stripHeight));
      x += tileWidth;
    }
  }

  /**
   * The first {@code max} people in the room's order (tiles keep their places as the speaker changes), except that
   * a speaker who would be cut off takes the last place shown.
   */
  private static List<Person> shown(List<Person> people, String speaker, int max) {
    if (people.size() <= max) {
      return people;
    }
    List<Person> shown = new ArrayList<>(people.subList(0, max));
    boolean speakerShown = shown.stream().anyMatch(p -> p.participantId().equals(speaker));
    if (!speakerShown) {
      people.stream().filter(p -> p.participantId().equals(speaker)).findFirst()
          .ifPresent(p -> shown.set(max - 1, p));
    }
    return shown;
  }

  /** An even grid: as many columns as the square root rounds up to, rows centred, 16:9 cells fitted in. */
  private static List<Tile> grid(List<Person> people, int left, int top, int width, int height) {
    List<Tile> tiles = new ArrayList<>();
    int n = people.size();
    if (n == 0) {
      return tiles;
    }
    int columns = (int) Math.ceil(Math.sqrt(n));
    int rows = (n + columns - 1) / columns;
    int cellWidth = even(width / columns);
    int cellHeight = even(height / rows);
    for (int i = 0; i < n; i++) {
      int row = i / columns;
      int inRow = row == rows - 1 ? n - row * columns : columns;
      int rowLeft = left + even((width - inRow * cellWidth) / 2); // a short last row is centred
      Person p = people.get(i);
      tiles.add(new Tile(p.participantId(), p.cameraTrack(), p.name(), rowLeft + (i % columns) * cellWidth,
          top + even((height - rows * cellHeight) / 2) + row * cellHeight, cellWidth, cellHeight));
    }
    return tiles;
  }

  private static int even(int v) {
    return v & ~1;
  }
}
