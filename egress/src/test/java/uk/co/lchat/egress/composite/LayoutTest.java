package uk.co.lchat.egress.composite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import uk.co.lchat.egress.composite.Layout.Person;
import uk.co.lchat.egress.composite.Layout.Tile;

class LayoutTest {
  private static Person camera(String id) {
    return new Person(id, "name " + id, "cam-" + id, null);
  }

  private static void assertInsideAndEven(List<Tile> tiles, int width, int height) {
    for (Tile t : tiles) {
      assertTrue(t.x() >= 0 && t.y() >= 0 && t.x() + t.width() <= width && t.y() + t.height() <= height,
          t + " inside " + width + "x" + height);
      assertEquals(0, (t.x() | t.y() | t.width() | t.height()) & 1, t + " has even coordinates and sizes");
    }
  }

  private static boolean overlap(Tile a, Tile b) {
    return a.x() < b.x() + b.width() && b.x() < a.x() + a.width() && a.y() < b.y() + b.height()
        && b.y() < a.y() + a.height();
  }

  @Test
  void threePeopleMakeATwoByTwoGridWithTheShortLastRowCentred() {
    List<Tile> tiles = Layout.GRID.arrange(List.of(camera("a"), camera("b"), camera("c")), null, 1280, 720);
    assertEquals(3, tiles.size());
    assertEquals(List.of("cam-a", "cam-b", "cam-c"), tiles.stream().map(Tile::trackId).toList());
    assertEquals(640, tiles.get(0).width());
    assertEquals(360, tiles.get(0).height());
    assertEquals(tiles.get(0).y(), tiles.get(1).y());
    assertEquals(320, tiles.get(2).x(), "the third is centred under the first two");
    assertInsideAndEven(tiles, 1280, 720);
  }

  @Test
  void noTilesOverlapInAGridOfAnySize() {
    List<Person> people = new ArrayList<>();
    for (int n = 1; n <= 20; n++) {
      people.add(camera("p" + n));
      List<Tile> tiles = Layout.GRID.arrange(people, null, 1280, 720);
      assertEquals(Math.min(n, Layout.MAX_TILES), tiles.size());
      assertInsideAndEven(tiles, 1280, 720);
      for (int i = 0; i < tiles.size(); i++) {
        for (int j = i + 1; j < tiles.size(); j++) {
          assertTrue(!overlap(tiles.get(i), tiles.get(j)), n + " people: " + tiles.get(i) + " and " + tiles.get(j));
        }
      }
    }
  }

  @Test
  void aLargeRoomStillShowsTheSpeaker() {
    List<Person> people = new ArrayList<>();
    for (int n = 0; n < 30; n++) {
      people.add(camera("p" + n));
    }
    List<Tile> tiles = Layout.GRID.arrange(people, "p29", 1280, 720);
    assertEquals(Layout.MAX_TILES, tiles.size());
    assertTrue(tiles.stream().anyMatch(t -> t.participantId().equals("p29")));
  }

  @Test
  void gridTilesKeepTheirPlacesWhenTheSpeakerChanges() {
    List<Person> people = List.of(camera("a"), camera("b"), camera("c"));
    assertEquals(Layout.GRID.arrange(people, "a", 1280, 720), Layout.GRID.arrange(people, "c", 1280, 720));
  }

  @Test
  void aScreenShareGoesOnStageWithEveryoneInAStripBelowIt() {
    Person sharer = new Person("b", "Bea", "cam-b", "screen-b");
    List<Tile> tiles = Layout.GRID.arrange(List.of(camera("a"), sharer, camera("c")), "a", 1280, 720);
    Tile stage = tiles.get(0);
    assertEquals("screen-b", stage.trackId());
    assertEquals(1280, stage.width());
    assertTrue(stage.height() >= 720 * 3 / 4, "the stage takes most of the picture: " + stage);
    assertEquals(4, tiles.size(), "the stage and three cameras, the sharer's too");
    for (Tile t : tiles.subList(1, tiles.size())) {
      assertEquals(stage.height(), t.y(), t + " sits in the strip below the stage");
    }
    assertInsideAndEven(tiles, 1280, 720);
  }

  @Test
  void theSpeakerLayoutPutsTheDominantSpeakerOnStageAndFollowsThem() {
    List<Person> people = List.of(camera("a"), camera("b"), camera("c"));
    List<Tile> tiles = Layout.SPEAKER.arrange(people, "c", 1920, 1080);
    assertEquals("cam-c", tiles.get(0).trackId());
    assertEquals(1920, tiles.get(0).width());
    assertEquals(3, tiles.size(), "the speaker on stage, the two others in the strip");
    assertEquals("cam-a", Layout.SPEAKER.arrange(people, "a", 1920, 1080).get(0).trackId());
    assertInsideAndEven(tiles, 1920, 1080);
  }

  @Test
  void someoneWithoutACameraGetsATileWithTheirNameOnly() {
    List<Tile> tiles = Layout.GRID.arrange(List.of(camera("a"), new Person("b", "Bo", null, null)), null, 1280, 720);
    assertEquals(2, tiles.size());
    assertNull(tiles.get(1).trackId());
    assertEquals("Bo", tiles.get(1).name());
  }

  @Test
  void anEmptyRoomHasNoTiles() {
    assertTrue(Layout.GRID.arrange(List.of(), null, 1280, 720).isEmpty());
    assertTrue(Layout.SPEAKER.arrange(List.of(), null, 1280, 720).isEmpty());
  }

  @Test
  void aPresentedPageTakesTheStageBeforeAScreenShareAndEveryoneGoesToTheStripBelow() {
    List<Layout.Person> people = List.of(new Layout.Person("ann", "Ann", "ann-cam", null),
        new Layout.Person("bob", "Bob", "bob-cam", "bob-screen"));
    for (Layout layout : Layout.values()) {
      List<Layout.Tile> tiles = layout.arrange(people, "bob", "ann", 1280, 720);
      Layout.Tile stage = tiles.get(0);
      assertEquals(Layout.PRESENTATION, stage.trackId(), layout + ": the page is on stage");
      assertEquals("ann", stage.participantId());
      assertEquals("Ann", stage.name(), "named after its presenter");
      assertEquals(1280, stage.width());
      assertEquals(720 - 144, stage.height(), "above a strip of a fifth of the picture");
      assertEquals(List.of("ann-cam", "bob-cam"), tiles.subList(1, tiles.size()).stream()
          .map(Layout.Tile::trackId).toList(), layout + ": the presenter's camera in the strip too, no screen");
    }
  }
}
