package uk.co.lchat.room;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;

import uk.co.lchat.room.RoomProtocol.RestoreRoom;
import uk.co.lchat.room.RoomProtocol.RoomState;

/**
 * How a room with people in it reaches its next incarnation when its node leaves the cluster: its whole state goes
 * as {@link RestoreRoom} through another node's shard region, because this node's own region is shutting down and
 * would drop what it buffers for the room's shard, whose new home is not known yet.
 */
final class Handover {
  private Handover() {}

  static void send(ActorSystem<?> system, String roomId, RoomState state) {
    RestoreRoom restore = new RestoreRoom(state);
    Cluster cluster = Cluster.get(system);
    Address self = cluster.selfMember().address();
    for (Member m : cluster.state().getMembers()) {
      if (m.status() == MemberStatus.up() && !m.address().equals(self)) {
        Adapter.toClassic(system)
            .actorSelection(m.address() + "/system/sharding/" + RoomActor.ENTITY_KEY.name())
            .tell(new ShardingEnvelope<>(roomId, restore), ActorRef.noSender());
        return;
      }
    }
    ClusterSharding.get(system).entityRefFor(RoomActor.ENTITY_KEY, roomId).tell(restore);
  }
}
