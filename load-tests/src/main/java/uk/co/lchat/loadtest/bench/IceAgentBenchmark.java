package uk.co.lchat.loadtest.bench;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import uk.co.lchat.media.ice.IceAgent;

/**
 * What one connection's ICE agent costs the caller: an ice4j agent is made when a participant publishes or
 * subscribes (on the router actor's thread) and closed when it leaves, so both must be quick for join storms and
 * mass leaves.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class IceAgentBenchmark {
  private static final InetSocketAddress NODE = new InetSocketAddress("127.0.0.1", 10000);
  private static final IceAgent.Listener IGNORE = new IceAgent.Listener() {
    @Override
    public void consentRefreshed() {
    }

    @Override
    public void failed() {
    }
  };

  @Benchmark
  public String createAndClose() throws Exception {
    IceAgent agent = new IceAgent(NODE, (message, to) -> { }, IGNORE);
    String ufrag = agent.local().ufrag();
    agent.close();
    return ufrag;
  }
}
