package uk.co.lchat.media.sdp;

import java.util.List;

/**
 * A track the remote side will send us, as fixed by our answer: its SSRC, codec and extension ids. A simulcast
 * track (RFC 8853) has {@code ssrc = -1} and its layers' rids: their SSRCs are learnt from the rid header extension
 * (RFC 8852) as packets arrive.
 */
public record NegotiatedTrack(String mid, String kind, long ssrc, Codec codec, int audioLevelExtension,
                              int transportCcExtension, List<String> rids, int midExtension, int ridExtension) {
  public NegotiatedTrack {
    rids = List.copyOf(rids);
  }

  public boolean simulcast() {
    return !rids.isEmpty();
  }
}
