package uk.co.lchat.room;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import uk.co.lchat.room.RoomProtocol.Framing;

/**
 * Whether a page lets other sites show it in a frame, found out by the node that hosts the room (it fetches the
 * page: X-Frame-Options, CSP frame-ancestors). Browsers do not tell a page why a frame stayed blank, so the room
 * asks before it shows everyone the page. The answer must always come, {@link Framing#UNKNOWN} when the site could
 * not be asked; the room also gives up waiting after {@code lchat.room.shared-page.check-timeout}.
 */
@FunctionalInterface
public interface FramingCheck {
  /** {@code detail}: what decided it, for people (e.g. "X-Frame-Options: DENY"), or null. */
  record Result(Framing framing, String detail) {}

  /** Outside a node (the room's own tests): nothing is fetched, every page is shown. */
  FramingCheck NOT_CHECKED = url -> CompletableFuture.completedFuture(
      new Result(Framing.UNKNOWN, "not checked: no node to fetch it"));

  /** {@code url} is a valid page address ({@link PageAddress}) on an allowed host ({@link PageHosts}). */
  CompletionStage<Result> check(String url);
}
