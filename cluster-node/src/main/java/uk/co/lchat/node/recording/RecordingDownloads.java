package uk.co.lchat.node.recording;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.ContentDisposition;
import org.apache.pekko.http.javadsl.model.headers.ContentDispositionTypes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

import uk.co.lchat.egress.EgressCluster;
import uk.co.lchat.egress.EgressInfo;
import uk.co.lchat.node.api.EgressFiles;
import uk.co.lchat.node.http.JsonErrors;

/**
 * A room's recordings as its moderators see them in the web client: listed over signaling with a download link per
 * file, and served by that link ({@code GET /recordings/<ticket>}) to a browser that has no API key. The link is a
 * {@link DownloadTickets} ticket for that one file of that one egress; the server API's own downloads
 * ({@code /api/v1/egress/.../files/...}) stay behind its keys.
 */
public final class RecordingDownloads extends AllDirectives {
  /** Long enough to click a link after listing, short enough that a link passed on soon stops working. */
  public static final Duration TICKET_LIFETIME = Duration.ofMinutes(10);
  /** A few hundred listings' worth of files: memory for tickets stays bounded whatever clients send. */
  static final int MAX_TICKETS = 10_000;
  /** The newest recordings only: a listing is one signaling message, and older ones remain in the server API. */
  static final int MAX_LISTED = 50;
  private static final String PATH = "recordings";

  /** One recording in a listing ({@code reason} null while it runs, {@code endedAtMillis} 0). */
  public record Listed(String egressId, String type, String status, String reason, long startedAtMillis,
                       long endedAtMillis, List<ListedFile> files) {}

  /**
   * One file of a finished recording: its name alone, whose track it is ({@code displayName} null for a
   * composite), and the link that downloads it until the ticket expires ({@code downloadUrl}: a path on the node
   * that listed it).
   */
  public record ListedFile(String name, String displayName, String kind, long sizeBytes, double durationSeconds,
                           String downloadUrl) {}

  private final EgressCluster egresses;
  private final EgressFiles files;
  private final DownloadTickets tickets;

  /**
   * {@code egresses} and {@code files}: the cluster's recordings and their files; null where recording is not
   * wired (nothing listed, nothing served).
   */
  public RecordingDownloads(EgressCluster egresses, EgressFiles files) {
    this(egresses, files, new DownloadTickets(TICKET_LIFETIME, MAX_TICKETS, () -> System.nanoTime() / 1_000_000));
  }

  RecordingDownloads(EgressCluster egresses, EgressFiles files, DownloadTickets tickets) {
    this.egresses = egresses;
    this.files = files;
    this.tickets = tickets;
  }

  /**
   * The room's recordings on every node, newest first, each finished one with a fresh link per file (the nodes
   * read their storage, not the caller's thread).
   */
  public CompletionStage<List<Listed>> list(String roomId) {
    if (egresses == null) {
      return CompletableFuture.completedFuture(List.of());
    }
    return egresses.list(roomId).thenApply(all -> {
      List<Listed> listed = new ArrayList<>();
      for (EgressInfo info : all) {
        if (listed.size() == MAX_LISTED) {
          break;
        }
        listed.add(listed(info, tickets));
      }
      return listed;
    });
  }

  /** {@code info} as listed, with a ticket per file once it has ended (a running one's files are not final). */
  static Listed listed(EgressInfo info, DownloadTickets tickets) {
    List<ListedFile> files = new ArrayList<>();
    if (info.status().equals("ended")) {
      for (EgressInfo.RecordedFile f : info.files()) {
        String name = Path.of(f.name()).getFileName().toString();
        String ticket = tickets.issue(new DownloadTickets.Grant(info.egressId(), name, f.kind()));
        files.add(new ListedFile(name, f.displayName(), f.kind(), f.bytes(), f.durationSeconds(),
            "/" + PATH + "/" + ticket));
      }
    }
    return new Listed(info.egressId(), info.type(), info.status(), info.reason(), info.startedAtMillis(),
        info.endedAtMillis(), List.copyOf(files));
  }

  /**
   * {@code GET /recordings/<ticket>}: the file, as an attachment under its own name, with byte ranges (a player
   * seeks, a broken download resumes, when this node has the file; from another node it comes whole); {@code 404}
   * for a ticket unknown here or expired. Not cached anywhere: the link is a capability. The file is looked up by
   * its egress and name in the storage's index, so nothing from a request reaches the file system.
   */
  public Route route() {
    return path(PathMatchers.segment(PATH).slash(PathMatchers.segment()), ticket -> get(() -> {
      Optional<DownloadTickets.Grant> grant = tickets.redeem(ticket);
      String expired = "This download link is unknown here or has expired; list the recordings again for a new one.";
      if (grant.isEmpty() || files == null) {
        return complete(JsonErrors.response(404, "not_found", expired));
      }
      return files.serve(grant.get().egressId(), grant.get().fileName(), false, contentType(grant.get()), expired,
          List.of(ContentDisposition.create(ContentDispositionTypes.ATTACHMENT,
                  Map.of("filename", grant.get().fileName())),
              RawHeader.create("Cache-Control", "private, no-store"),
              RawHeader.create("X-Content-Type-Options", "nosniff")));
    }));
  }

  /** What a recorded file holds: a track's WebM is audio or video, a composite MP4 or WebM is video. */
  static ContentType contentType(DownloadTickets.Grant grant) {
    String name = grant.fileName();
    if (name.endsWith(".mp4")) {
      return ContentTypes.create(MediaTypes.VIDEO_MP4);
    }
    if (name.endsWith(".webm")) {
      return ContentTypes.create("audio".equals(grant.kind()) ? MediaTypes.AUDIO_WEBM : MediaTypes.VIDEO_WEBM);
    }
    return ContentTypes.APPLICATION_OCTET_STREAM;
  }
}
