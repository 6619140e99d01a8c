package uk.co.lchat.node.stats;

import java.util.List;

import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;

import uk.co.lchat.node.http.ConnectionGate;
import uk.co.lchat.node.signaling.SignalingCounters;

/**
 * What the HTTP door refused, for {@code GET /metrics}: read from the counters at each scrape, so nothing is sampled
 * or kept twice.
 */
public final class FrontDoorCollector extends Collector {
  private final ConnectionGate connections;
  private final SignalingCounters signaling;

  public FrontDoorCollector(ConnectionGate connections, SignalingCounters signaling) {
    this.connections = connections;
    this.signaling = signaling;
  }

  @Override
  public List<MetricFamilySamples> collect() {
    CounterMetricFamily refused = new CounterMetricFamily("lchat_http_refused_total",
        "Connections, WebSocket handshakes and signaling messages the node refused, by reason",
        List.of("reason"));
    refused.addMetric(List.of("origin"), signaling.originsRefused());
    refused.addMetric(List.of("connections_per_address"), connections.refusedConnections());
    refused.addMetric(List.of("header_timeout"), connections.headerTimeouts());
    refused.addMetric(List.of("rate_limited"), signaling.messagesRateLimited());
    refused.addMetric(List.of("flooding_socket_closed"), signaling.socketsClosedForFlooding());
    return List.of(refused,
        new GaugeMetricFamily("lchat_http_connections", "Open connections on the HTTP port (WebSockets included)",
            connections.openConnections()),
        new CounterMetricFamily("lchat_signaling_dropped_messages_total",
            "Relayed messages (peer, chat) dropped for clients that read too slowly", signaling
            .outboundMessagesDropped()));
  }
}
