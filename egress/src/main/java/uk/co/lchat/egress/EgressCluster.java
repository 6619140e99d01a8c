package uk.co.lchat.egress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

import uk.co.lchat.egress.EgressPlacement.Candidate;
import uk.co.lchat.egress.EgressProtocol.Capacity;
import uk.co.lchat.egress.EgressProtocol.Chunk;
import uk.co.lchat.egress.EgressProtocol.Command;
import uk.co.lchat.egress.EgressProtocol.Found;
import uk.co.lchat.egress.EgressProtocol.Listed;
import uk.co.lchat.egress.EgressProtocol.Started;
import uk.co.lchat.room.RoomProtocol.Outcome;

/**
 * The cluster's egresses as any node sees them, for the server API and signaling: a new one is placed on the
 * least loaded node that records ({@link EgressPlacement}); one is found, listed and read wherever it ran. A node
 * that does not record itself (its {@code lchat.egress.enabled} off) still starts and serves recordings on the
 * nodes that do.
 */
public final class EgressCluster {
  /** How long a start may take: the room's answer and the encoder's start. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  /** How often an empty listing of recording nodes is asked for, a second apart, before recording is refused. */
  private static final int LISTING_ATTEMPTS = 4;
  /**
   * How long a draining node waits for a moved egress to hand over and finalise: its start, the room's
   * hand-over (at most 15 s) and FFmpeg finalising the file.
   */
  private static final Duration HAND_OVER_TIMEOUT = Duration.ofSeconds(60);

  private final ActorSystem<?> system;
  private final String selfAddress;
  private final Supplier<CompletionStage<Map<String, Double>>> stress;
  private final Duration timeout;
  /** This node's own EgressNode, or null when it does not record. */
  private final ActorRef<Command> local;

  /**
   * {@code local}: this node's {@link EgressNode}, null when it does not record; {@code selfAddress}: this node's
   * cluster address; {@code stress}: each node's stress level by its cluster address, as the nodes' statistics
   * report it; {@code timeout}: for each node's answer.
   */
  public EgressCluster(ActorSystem<?> system, ActorRef<Command> local, String selfAddress,
                       Supplier<CompletionStage<Map<String, Double>>> stress, Duration timeout) {
    this.system = system;
    this.local = local;
    this.selfAddress = selfAddress;
    this.stress = stress;
    this.timeout = timeout;
  }

  /** Starts recording {@code roomId} on the node that has most room for it ({@code by}: a moderator, or null). */
  public CompletionStage<Started> start(EgressRequest request, String roomId, String by) {
    return start(request, roomId, by, null);
  }

  /**
   * As {@link #start(EgressRequest, String, String)}, continuing the egress {@code replaces} (null: none); the
   * node that ran it drains, so it takes none.
   */
  public CompletionStage<Started> start(EgressRequest request, String roomId, String by, String replaces) {
    return candidates(LISTING_ATTEMPTS).thenCompose(cs -> {
      Optional<Candidate<ActorRef<Command>>> chosen = EgressPlacement.choose(cs);
      if (chosen.isEmpty()) {
        String why = cs.isEmpty() ? "Recording is not enabled on this deployment (lchat.egress.enabled)."
            : cs.stream().map(Candidate::refusal).filter(r -> r != null).findFirst()
                .orElse("Every node that records is leaving the cluster; try again shortly.");
        return CompletableFuture.completedFuture(new Started(null, Outcome.INVALID, why));
      }
      return AskPattern.<Command, Started>ask(chosen.get().node(),
              reply -> new EgressProtocol.Start(request, roomId, by, replaces, reply), START_TIMEOUT,
              system.scheduler());
    });
  }

  /**
   * Every node that records, with how busy it is. None known may only mean that the receptionist has not yet
   * heard of the others' registrations (a gossip round or two after they joined), so an empty answer is asked
   * again, a second apart, {@code attempts} times in all before it stands.
   */
  private CompletionStage<List<Candidate<ActorRef<Command>>>> candidates(int attempts) {
    return candidatesNow().thenCompose(cs -> !cs.isEmpty() || attempts <= 1 ? CompletableFuture.completedFuture(cs)
        : CompletableFuture.supplyAsync(() -> null,
                CompletableFuture.delayedExecutor(1, java.util.concurrent.TimeUnit.SECONDS))
            .thenCompose(v -> candidates(attempts - 1)));
  }

  private CompletionStage<List<Candidate<ActorRef<Command>>>> candidatesNow() {
    CompletionStage<Map<String, Double>> load = stress.get().exceptionally(e -> Map.of());
    return nodes().thenCompose(nodes -> {
      List<CompletableFuture<Capacity>> asks = nodes.stream()
          .map(n -> AskPattern.<Command, Capacity>ask(n, EgressProtocol.Offer::new, timeout, system.scheduler())
              .toCompletableFuture().exceptionally(e -> null))
          .toList();
      return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenCombine(load, (done, stressBy) -> {
        List<Candidate<ActorRef<Command>>> cs = new ArrayList<>();
        for (CompletableFuture<Capacity> f : asks) {
          Capacity c = f.join();
          if (c != null) {
            cs.add(new Candidate<>(c.node(), c.running(), c.draining(), c.refusal(),
                stressBy.getOrDefault(address(c.node()), Double.NaN), isLocal(c.node())));
          }
        }
        return cs;
      });
    });
  }

  /** Where the egress {@code egressId} is known: the node that ran it, or one that has its files. */
  public CompletionStage<Optional<Found>> find(String egressId) {
    return everyNode(n -> AskPattern.<Command, Found>ask(n, reply -> new EgressProtocol.Find(egressId, reply),
            timeout, system.scheduler()))
        .thenApply(found -> found.stream().filter(f -> f.info() != null)
            // A node that runs it knows it best; any other (a shared storage) knows it only once ended.
            .min(Comparator.comparing(f -> f.info().status().equals("ended")))
        );
  }

  /**
   * Every egress of {@code roomId} (null: of every room), running or finished, on any node, newest first; one
   * known to several nodes (a shared storage) is listed once, as the node that runs it sees it.
   */
  public CompletionStage<List<EgressInfo>> list(String roomId) {
    return everyNode(n -> AskPattern.<Command, Listed>ask(n, reply -> new EgressProtocol.ListHere(roomId, reply),
            timeout, system.scheduler()))
        .thenApply(lists -> {
          Map<String, EgressInfo> byId = new LinkedHashMap<>();
          for (Listed l : lists) {
            for (EgressInfo i : l.egresses()) {
              byId.merge(i.egressId(), i, (a, b) -> a.status().equals("ended") ? b : a);
            }
          }
          List<EgressInfo> all = new ArrayList<>(byId.values());
          all.sort(Comparator.comparingLong(EgressInfo::startedAtMillis).reversed());
          return all;
        });
  }

  /** A piece of a file of {@code egressId} from the node that has it (see {@link EgressProtocol.ReadChunk}). */
  public CompletionStage<Chunk> read(ActorRef<Command> node, String egressId, String file, boolean hls,
                                     long offset) {
    return AskPattern.ask(node, reply -> new EgressProtocol.ReadChunk(egressId, file, hls, offset, reply), timeout,
        system.scheduler());
  }

  /**
   * This node drains: each egress running here is continued on another node (a new file from now on; both
   * listed). Completes once each moved one has handed over and finalised its file here, or could not move (it is
   * finalised with the node, as before), or after {@link #HAND_OVER_TIMEOUT}.
   */
  public CompletionStage<Void> moveAway(EgressService local) {
    List<CompletableFuture<?>> moves = new ArrayList<>();
    for (EgressService.Moving m : local.drain()) {
      moves.add(start(m.request(), m.roomId(), null, m.egressId()).toCompletableFuture()
          .thenCompose(r -> {
            if (r.outcome() != Outcome.DONE) {
              system.log().warn("egress {}: could not move: {}", m.egressId(), r.message());
              return CompletableFuture.completedFuture(null);
            }
            system.log().info("egress {}: continues as {} on another node", m.egressId(), r.info().egressId());
            return local.ending(m.egressId());
          })
          .completeOnTimeout(null, HAND_OVER_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
          .exceptionally(e -> {
            system.log().warn("egress {}: could not move: {}", m.egressId(), e.toString());
            return null;
          }));
    }
    return CompletableFuture.allOf(moves.toArray(CompletableFuture[]::new));
  }

  /** Asks every node that records; those that do not answer in time are left out. */
  private <T> CompletionStage<List<T>> everyNode(
      java.util.function.Function<ActorRef<Command>, CompletionStage<T>> ask) {
    return nodes().thenCompose(nodes -> {
      List<CompletableFuture<T>> asks = nodes.stream()
          .map(n -> ask.apply(n).toCompletableFuture().exceptionally(e -> null)).toList();
      return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
          .thenApply(done -> asks.stream().map(CompletableFuture::join).filter(t -> t != null).toList());
    });
  }

  /**
   * Every node that records: the receptionist's listing, and this node's own whether or not the listing has it
   * yet (a node that just started registers a moment later).
   */
  private CompletionStage<java.util.Set<ActorRef<Command>>> nodes() {
    return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
            reply -> Receptionist.find(EgressProtocol.SERVICE_KEY, reply), timeout, system.scheduler())
        .thenApply(l -> {
          java.util.Set<ActorRef<Command>> all = new java.util.HashSet<>(
              l.getServiceInstances(EgressProtocol.SERVICE_KEY));
          if (local != null) {
            all.add(local);
          }
          return all;
        });
  }

  private boolean isLocal(ActorRef<Command> node) {
    return !node.path().address().hasGlobalScope();
  }

  private String address(ActorRef<Command> node) {
    return isLocal(node) ? selfAddress : node.path().address().toString();
  }
}
