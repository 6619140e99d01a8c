package uk.co.lchat.media.sdp;

/** A track the remote side will send us, as fixed by our answer: its SSRC, codec and audio-level extension id. */
public record NegotiatedTrack(String mid, String kind, long ssrc, Codec codec, int audioLevelExtension,
                              int transportCcExtension) {}
