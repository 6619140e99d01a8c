package uk.co.lchat.media.sdp;

/** ICE credentials of one side (RFC 8839 §5.4). */
public record IceParameters(String ufrag, String pwd) {}
