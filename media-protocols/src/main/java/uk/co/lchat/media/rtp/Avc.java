package uk.co.lchat.media.rtp;

/**
 * Just enough of the H.264 (AVC) RTP payload format (RFC 6184) to find where a keyframe starts, and the picture
 * height its sequence parameter set gives.
 */
public final class Avc {
  private static final int IDR = 5;
  private static final int SPS = 7;
  private static final int STAP_A = 24;
  private static final int FU_A = 28;

  private Avc() {}

  /**
   * True when the payload starts a keyframe: an IDR slice or the sequence parameter set that precedes one, alone
   * (RFC 6184 §5.6), inside a STAP-A aggregate (§5.7.1, where encoders put SPS, PPS and the IDR's start), or as
   * the first fragment of an FU-A (§5.8, S bit set).
   */
  public static boolean isKeyframeStart(byte[] buf, int payloadOffset, int payloadLength) {
    if (payloadLength < 1) {
      return false;
    }
    int end = payloadOffset + payloadLength;
    int type = buf[payloadOffset] & 0x1F;
    if (type == IDR || type == SPS) {
      return true;
    }
    if (type == FU_A) {
      if (payloadLength < 2) {
        return false;
      }
      int header = buf[payloadOffset + 1] & 0xFF;
      return (header & 0x80) != 0 && (header & 0x1F) == IDR;
    }
    if (type == STAP_A) {
      int pos = payloadOffset + 1;
      while (pos + 2 < end) {
        int size = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        if (size == 0 || pos + size > end) {
          return false;
        }
        int nal = buf[pos] & 0x1F;
        if (nal == IDR || nal == SPS) {
          return true;
        }
        pos += size;
      }
    }
    return false;
  }

  /**
   * The picture height that a sequence parameter set in this payload gives (alone, or inside a STAP-A), or 0 when
   * it carries none or one we cannot read.
   */
  public static int keyframeHeight(byte[] buf, int payloadOffset, int payloadLength) {
    if (payloadLength < 1) {
      return 0;
    }
    int end = payloadOffset + payloadLength;
    int type = buf[payloadOffset] & 0x1F;
    if (type == SPS) {
      return spsHeight(buf, payloadOffset + 1, end);
    }
    if (type == STAP_A) {
      int pos = payloadOffset + 1;
      while (pos + 2 < end) {
        int size = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        if (size == 0 || pos + size > end) {
          return 0;
        }
        if ((buf[pos] & 0x1F) == SPS) {
          return spsHeight(buf, pos + 1, pos + size);
        }
        pos += size;
      }
    }
    return 0;
  }

  /**
   * ITU-T H.264 §7.3.2.1.1: reads a sequence parameter set's fields up to the frame size and cropping, which give
   * the height: (2 - frame_mbs_only_flag) * map units * 16, less the cropped rows (§7.4.2.1.1). 0 if malformed.
   */
  private static int spsHeight(byte[] buf, int from, int end) {
    Bits b = new Bits(buf, from, end);
    int profile = b.bits(8);
    b.bits(16); // constraint flags, level_idc
    b.ue(); // seq_parameter_set_id
    int chromaFormat = 1;
    if (profile == 100 || profile == 110 || profile == 122 || profile == 244 || profile == 44 || profile == 83
        || profile == 86 || profile == 118 || profile == 128 || profile == 138 || profile == 139 || profile == 134
        || profile == 135) {
      chromaFormat = b.ue();
      if (chromaFormat == 3) {
        b.bits(1); // separate_colour_plane_flag
      }
      b.ue(); // bit_depth_luma_minus8
      b.ue(); // bit_depth_chroma_minus8
      b.bits(1); // qpprime_y_zero_transform_bypass_flag
      if (b.bits(1) == 1) { // seq_scaling_matrix_present_flag
        for (int i = 0; i < (chromaFormat != 3 ? 8 : 12); i++) {
          if (b.bits(1) == 1) {
            skipScalingList(b, i < 6 ? 16 : 64);
          }
        }
      }
    }
    b.ue(); // log2_max_frame_num_minus4
    int pocType = b.ue();
    if (pocType == 0) {
      b.ue(); // log2_max_pic_order_cnt_lsb_minus4
    } else if (pocType == 1) {
      b.bits(1); // delta_pic_order_always_zero_flag
      b.se(); // offset_for_non_ref_pic
      b.se(); // offset_for_top_to_bottom_field
      int cycle = b.ue();
      for (int i = 0; i < cycle && i < 256; i++) {
        b.se(); // offset_for_ref_frame
      }
    }
    b.ue(); // max_num_ref_frames
    b.bits(1); // gaps_in_frame_num_value_allowed_flag
    b.ue(); // pic_width_in_mbs_minus1
    int mapUnits = b.ue() + 1;
    int frameMbsOnly = b.bits(1);
    if (frameMbsOnly == 0) {
      b.bits(1); // mb_adaptive_frame_field_flag
    }
    b.bits(1); // direct_8x8_inference_flag
    int cropped = 0;
    if (b.bits(1) == 1) { // frame_cropping_flag
      b.ue(); // left
      b.ue(); // right
      int top = b.ue();
      int bottom = b.ue();
      int subHeight = chromaFormat == 1 ? 2 : 1; // 4:2:0 halves the chroma rows; 4:0:0, 4:2:2 and 4:4:4 do not
      cropped = subHeight * (2 - frameMbsOnly) * (top + bottom);
    }
    int height = (2 - frameMbsOnly) * mapUnits * 16 - cropped;
    return b.overrun || height <= 0 || height > 16384 ? 0 : height;
  }

  /** §7.3.2.1.1.1: a scaling list of {@code size} deltas, of which only the length matters here. */
  private static void skipScalingList(Bits b, int size) {
    int last = 8;
    int next = 8;
    for (int j = 0; j < size && !b.overrun; j++) {
      if (next != 0) {
        next = (last + b.se() + 256) % 256;
      }
      last = next == 0 ? last : next;
    }
  }

  /**
   * Reads bits of a NAL unit's payload, leaving out its emulation prevention bytes (the 03 of 00 00 03, §7.4.1);
   * past the end it reads zeros and says so in {@link #overrun}.
   */
  private static final class Bits {
    private final byte[] buf;
    private final int end;
    private int pos;
    private int bit = 8;
    private int current;
    private int zeros;
    boolean overrun;

    Bits(byte[] buf, int from, int end) {
      this.buf = buf;
      this.end = end;
      this.pos = from;
    }

    private int bit() {
      if (bit == 8) {
        if (pos < end && zeros >= 2 && buf[pos] == 3) {
          pos++;
          zeros = 0;
        }
        if (pos >= end) {
          overrun = true;
          return 0;
        }
        current = buf[pos++] & 0xFF;
        zeros = current == 0 ? zeros + 1 : 0;
        bit = 0;
      }
      return (current >>> (7 - bit++)) & 1;
    }

    int bits(int n) {
      int v = 0;
      for (int i = 0; i < n; i++) {
        v = (v << 1) | bit();
      }
      return v;
    }

    /** Exp-Golomb, unsigned (§9.1); a code longer than 31 bits is malformed. */
    int ue() {
      int leading = 0;
      while (bit() == 0 && !overrun) {
        if (++leading > 31) {
          overrun = true;
          return 0;
        }
      }
      return leading == 0 ? 0 : (int) ((1L << leading) - 1 + bits(leading));
    }

    /** Exp-Golomb, signed (§9.1.1). */
    int se() {
      int k = ue();
      return (k & 1) != 0 ? (k + 1) / 2 : -(k / 2);
    }
  }
}
