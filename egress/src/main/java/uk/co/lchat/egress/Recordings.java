package uk.co.lchat.egress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The finished recordings in the storage directory: each egress's directory ({@code <storage>/<room>/<egress>})
 * holds its files and an {@code egress.json} that says what they are, written when it ended. The storage is the
 * index (no database): what a node lists and serves is what is on its disk, so a shared volume lists every node's
 * recordings. A retention period deletes whole recordings once they are older.
 */
public final class Recordings {
  static final String INDEX = "egress.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path storage;
  private final Duration retention;

  public Recordings(Path storage, Duration retention) {
    this.storage = storage;
    this.retention = retention;
  }

  /** Where an egress of {@code roomId} keeps its files, its index and its work, under {@code storage}. */
  static Path directory(Path storage, String roomId, String egressId) {
    return storage.resolve(RoomRecording.safe(roomId)).resolve(egressId);
  }

  /** Writes an ended egress's index next to its files (atomically: a reader never sees half of it). */
  void save(EgressInfo info) throws IOException {
    Path dir = directory(storage, info.roomId(), info.egressId());
    Files.createDirectories(dir);
    Path tmp = dir.resolve(INDEX + ".tmp");
    JSON.writeValue(tmp.toFile(), info);
    Files.move(tmp, dir.resolve(INDEX), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Every finished recording on disk, newest first; {@code roomId} null: of every room. */
  public List<EgressInfo> list(String roomId) {
    List<EgressInfo> all = new ArrayList<>();
    for (Path index : indexes(roomId)) {
      read(index).ifPresent(all::add);
    }
    all.sort(Comparator.comparingLong(EgressInfo::startedAtMillis).reversed());
    return all;
  }

  /** A finished recording by its id: only the index in a directory of that name is read. */
  public Optional<EgressInfo> find(String egressId) {
    return indexes(null).stream().filter(index -> index.getParent().getFileName().toString().equals(egressId))
        .map(Recordings::read).flatMap(Optional::stream)
        .filter(i -> i.egressId().equals(egressId)).findFirst();
  }

  /**
   * The file {@code name} of recording {@code egressId}, if the recording lists it and it is on disk. Only listed
   * names are served, so no path from a request ever reaches the file system.
   */
  public Optional<Path> file(String egressId, String name) {
    return find(egressId).flatMap(info -> info.files().stream()
        .filter(f -> Path.of(f.name()).getFileName().toString().equals(name)).findFirst()
        .map(f -> storage.resolve(f.name()).normalize())
        .filter(p -> p.startsWith(storage.normalize()) && Files.isRegularFile(p)));
  }

  /**
   * Deletes the recordings that ended longer than the retention period before {@code nowMillis} (none when the
   * period is zero: kept until someone deletes them); returns how many.
   */
  public int expire(long nowMillis) {
    if (retention.isZero()) {
      return 0;
    }
    int deleted = 0;
    for (Path index : indexes(null)) {
      Optional<EgressInfo> info = read(index);
      if (info.isPresent() && info.get().endedAtMillis() > 0
          && nowMillis - info.get().endedAtMillis() > retention.toMillis()) {
        deleteTree(index.getParent());
        deleted++;
      }
    }
    return deleted;
  }

  private List<Path> indexes(String roomId) {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(storage)) {
      return out;
    }
    try (DirectoryStream<Path> rooms = Files.newDirectoryStream(storage, Files::isDirectory)) {
      for (Path room : rooms) {
        if (roomId != null && !room.getFileName().toString().equals(RoomRecording.safe(roomId))) {
          continue;
        }
        try (DirectoryStream<Path> egresses = Files.newDirectoryStream(room, Files::isDirectory)) {
          for (Path egress : egresses) {
            Path index = egress.resolve(INDEX);
            if (Files.isRegularFile(index)) {
              out.add(index);
            }
          }
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // a directory that went away while we listed it: what was read stays listed
    }
    return out;
  }

  private static Optional<EgressInfo> read(Path index) {
    try {
      return Optional.of(JSON.readValue(index.toFile(), EgressInfo.class));
    } catch (IOException e) {
      return Optional.empty(); // not ours, or damaged: not listed rather than failing the whole list
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // left for the next sweep
        }
      });
    } catch (IOException e) {
      // left for the next sweep
    }
  }
}
