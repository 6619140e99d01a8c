package uk.co.lchat.metrics;

/**
 * One stage of the media router's receive chain at the moment of a sample: packets that reached it and packets it
 * dropped, both counted since the router started.
 *
 * @param chain {@code rtp} or {@code rtcp}
 * @param stage the stage, e.g. {@code srtp_decrypt}
 */
public record ReceiveStageSample(String chain, String stage, long packets, long dropped) {}
