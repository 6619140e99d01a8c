package uk.co.lchat.node.serialization;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.JSerializer;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;

import uk.co.lchat.room.RoomProtocol;

/**
 * Serializes every message that crosses nodes with Kryo and an explicit class registry, so a class that was not
 * registered fails loudly instead of silently falling back to Java serialization.
 *
 * <p>Registration ids come from the sorted class names, so every node of one build assigns the same ids.
 */
public final class KryoSerializer extends JSerializer {
  /** Our serializer id in Pekko's table (ids below 40 are Pekko's own). */
  public static final int IDENTIFIER = 7431;
  private static final int FIRST_ID = 100;

  private final ActorRefResolver resolver;
  private final Pool<Kryo> kryos;
  private final Pool<Output> outputs = new Pool<>(true, false, 64) {
    @Override
    protected Output create() {
      return new Output(1024, 1 << 20);
    }
  };

  public KryoSerializer(ExtendedActorSystem system) {
    this.resolver = ActorRefResolver.get(Adapter.toTyped(system));
    this.kryos = new Pool<>(true, false, 64) {
      @Override
      protected Kryo create() {
        return newKryo();
      }
    };
  }

  /** The classes that may cross nodes: every record and enum of the room protocol plus the collections they use. */
  static Class<?>[] messageClasses() {
    Class<?>[] protocol = java.util.stream.Stream.of(RoomProtocol.class.getDeclaredClasses(),
            uk.co.lchat.media.control.MediaRouterProtocol.class.getDeclaredClasses(),
            uk.co.lchat.node.stats.StatsProtocol.class.getDeclaredClasses(),
            uk.co.lchat.egress.EgressProtocol.class.getDeclaredClasses(),
            new Class<?>[] {uk.co.lchat.media.control.TrackInfo.class, uk.co.lchat.media.control.VideoConstraints.class,
                uk.co.lchat.egress.EgressRequest.class,
                uk.co.lchat.egress.EgressInfo.class, uk.co.lchat.egress.EgressInfo.RecordedFile.class,
                uk.co.lchat.egress.composite.Layout.class})
        .flatMap(Arrays::stream)
        .filter(c -> c.isRecord() || c.isEnum())
        .sorted(Comparator.comparing(Class::getName))
        .toArray(Class<?>[]::new);
    return protocol;
  }

  private Kryo newKryo() {
    Kryo kryo = new Kryo();
    kryo.setRegistrationRequired(true);
    kryo.setReferences(false);
    int id = FIRST_ID;
    kryo.register(ArrayList.class, id++);
    kryo.register(LinkedHashMap.class, id++);
    kryo.register(HashMap.class, id++);
    kryo.register(byte[].class, id++); // a piece of a recorded file (EgressProtocol.Chunk)
    // List.of / List.copyOf lists are JDK-internal classes; they travel as plain lists and come back immutable.
    ImmutableListSerializer lists = new ImmutableListSerializer();
    for (Class<?> c : new java.util.LinkedHashSet<>(List.of(List.of(1).getClass(), List.of(1, 2, 3).getClass()))) {
      kryo.register(c, lists, id++);
    }
    ActorRefSerializer refs = new ActorRefSerializer(resolver);
    // A typed ActorRef reaches us as one of Pekko's internal classes; register each with the same serializer.
    for (String name : new String[] {"org.apache.pekko.actor.typed.internal.adapter.ActorRefAdapter"}) {
      kryo.register(loadClass(name), refs, id++);
    }
    for (Class<?> c : messageClasses()) {
      kryo.register(c, id++);
    }
    return kryo;
  }

  private static Class<?> loadClass(String name) {
    try {
      return Class.forName(name);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("Pekko class " + name + " is missing; Pekko version mismatch?", e);
    }
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public boolean includeManifest() {
    return false;
  }

  @Override
  public byte[] toBinary(Object o) {
    Kryo kryo = kryos.obtain();
    Output output = outputs.obtain();
    try {
      output.reset();
      kryo.writeClassAndObject(output, o);
      return output.toBytes();
    } finally {
      outputs.free(output);
      kryos.free(kryo);
    }
  }

  @Override
  public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
    Kryo kryo = kryos.obtain();
    try {
      return kryo.readClassAndObject(new Input(bytes));
    } finally {
      kryos.free(kryo);
    }
  }

  /** Writes an actor reference as its full path with address, resolved again on the receiving node. */
  private static final class ImmutableListSerializer extends Serializer<List<?>> {
    @Override
    public void write(Kryo kryo, Output output, List<?> list) {
      output.writeVarInt(list.size(), true);
      for (Object o : list) {
        kryo.writeClassAndObject(output, o);
      }
    }

    @Override
    public List<?> read(Kryo kryo, Input input, Class<? extends List<?>> type) {
      int n = input.readVarInt(true);
      Object[] items = new Object[n];
      for (int i = 0; i < n; i++) {
        items[i] = kryo.readClassAndObject(input);
      }
      return List.of(items);
    }
  }

  private static final class ActorRefSerializer extends Serializer<ActorRef<?>> {
    private final ActorRefResolver resolver;

    ActorRefSerializer(ActorRefResolver resolver) {
      this.resolver = resolver;
      setImmutable(true);
    }

    @Override
    public void write(Kryo kryo, Output output, ActorRef<?> ref) {
      output.writeString(resolver.toSerializationFormat(ref));
    }

    @Override
    public ActorRef<?> read(Kryo kryo, Input input, Class<? extends ActorRef<?>> type) {
      return resolver.resolveActorRef(input.readString());
    }
  }
}
