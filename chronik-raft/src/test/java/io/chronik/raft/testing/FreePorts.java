package io.chronik.raft.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Free local ports for tests that start servers needing several at once (Raft, Kafka, admin per node). */
public final class FreePorts {

    private FreePorts() {
    }

    /** Distinct free ports: all sockets stay open until every port is picked, so none is handed out twice. */
    public static int[] pick(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket(0);
                s.setReuseAddress(true);
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }
}
