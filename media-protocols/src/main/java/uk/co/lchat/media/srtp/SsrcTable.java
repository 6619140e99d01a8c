package uk.co.lchat.media.srtp;

import java.util.function.Consumer;

/** A small open-addressing map from 32-bit SSRC to a value, without boxing on lookup. */
public final class SsrcTable<V> {
  private int[] keys = new int[16];
  private Object[] values = new Object[16];
  private int size;

  @SuppressWarnings("unchecked")
  public V get(int ssrc) {
    int mask = keys.length - 1;
    for (int i = mix(ssrc) & mask; ; i = (i + 1) & mask) {
      Object v = values[i];
      if (v == null) {
        return null;
      }
      if (keys[i] == ssrc) {
        return (V) v;
      }
    }
  }

  public void put(int ssrc, V value) {
    if ((size + 1) * 2 > keys.length) {
      resize();
    }
    int mask = keys.length - 1;
    for (int i = mix(ssrc) & mask; ; i = (i + 1) & mask) {
      if (values[i] == null) {
        keys[i] = ssrc;
        values[i] = value;
        size++;
        return;
      }
      if (keys[i] == ssrc) {
        values[i] = value;
        return;
      }
    }
  }

  /** Removes the entry; shifts later entries of the same probe run back so lookups still find them. */
  public void remove(int ssrc) {
    int mask = keys.length - 1;
    int i = mix(ssrc) & mask;
    while (values[i] != null && keys[i] != ssrc) {
      i = (i + 1) & mask;
    }
    if (values[i] == null) {
      return;
    }
    values[i] = null;
    size--;
    for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
      int k = keys[j];
      Object v = values[j];
      values[j] = null;
      size--;
      @SuppressWarnings("unchecked")
      V value = (V) v;
      put(k, value);
    }
  }

  public int size() {
    return size;
  }

  @SuppressWarnings("unchecked")
  public void forEach(Consumer<? super V> action) {
    for (Object v : values) {
      if (v != null) {
        action.accept((V) v);
      }
    }
  }

  private void resize() {
    int[] oldKeys = keys;
    Object[] oldValues = values;
    keys = new int[oldKeys.length * 2];
    values = new Object[oldValues.length * 2];
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldValues[i] != null) {
        @SuppressWarnings("unchecked")
        V v = (V) oldValues[i];
        put(oldKeys[i], v);
      }
    }
  }

  private static int mix(int x) {
    int h = x * 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}
