package uk.co.lchat.media.router;

/**
 * One receive stage's counts at one moment: the packets that reached it and those it dropped.
 *
 * @param chain {@code rtp} or {@code rtcp}
 * @param stage the stage's name, e.g. {@code srtp_decrypt}
 */
public record StageCount(String chain, String stage, long packets, long dropped) {}
