package uk.co.lchat.media.dtls;

import java.security.SecureRandom;

import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.modes.AEADBlockCipher;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.gcm.BasicGCMMultiplier;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * BouncyCastle's crypto for DTLS associations, with AES-GCM records computed without multiplication tables. Media
 * goes as SRTP with keys exported from the handshake (RFC 5764); the association itself carries only its handshake
 * and, after it, the odd retransmission or alert. BouncyCastle's default GCM keeps a 4 KiB table of 256 small arrays
 * per cipher, one for each direction: 18 KiB of live heap per connection for records that are almost never sent
 * (issue #21: memory per participant).
 */
public final class DtlsCrypto extends BcTlsCrypto {
  public DtlsCrypto(SecureRandom random) {
    super(random);
  }

  @Override
  protected AEADBlockCipher createGCMMode(BlockCipher engine) {
    return GCMBlockCipher.newInstance(engine, new BasicGCMMultiplier());
  }
}
