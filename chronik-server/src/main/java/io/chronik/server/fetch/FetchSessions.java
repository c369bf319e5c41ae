package io.chronik.server.fetch;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;

/**
 * This node's incremental fetch sessions (KIP-227), and what each Fetch request means for them. The session fields of
 * a request (from Fetch v7) select one of four cases, as in Kafka's broker:
 * <ul>
 *   <li>no session and the final epoch: a full fetch, nothing kept (every fetch before v7);</li>
 *   <li>epoch 0: a full fetch that opens a new session (closing the one named, if any) — or, with every slot taken by
 *       a session used within the last {@value #EVICTABLE_AFTER_SECONDS} s, a full fetch without one;</li>
 *   <li>a session and the final epoch: closes it, then a full fetch without one;</li>
 *   <li>a session and any other epoch: an incremental fetch, refused with FETCH_SESSION_ID_NOT_FOUND,
 *       INVALID_FETCH_SESSION_EPOCH or FETCH_SESSION_TOPIC_ID_ERROR when the session is unknown (evicted, or this node
 *       restarted), the epoch is not the next one, or the request names topics otherwise than the session did (by id
 *       from Fetch v13, by name before); the client then starts over with a full fetch.</li>
 * </ul>
 * Sessions live in memory only: a restarted node or a new partition leader answers FETCH_SESSION_ID_NOT_FOUND once.
 *
 * <p>Threads: any request-handler thread; the map is guarded by this object's monitor, sessions by their own.
 */
public final class FetchSessions {

    /** A full cache gives up a session this long unused for a new one (Kafka's minimum eviction age). */
    static final long EVICTABLE_AFTER_SECONDS = 120;
    /** The first Fetch version that names topics by id. */
    private static final short TOPIC_IDS_VERSION = 13;

    private final int slots;
    private final LongSupplier nanoClock;
    private final Map<Integer, FetchSession> sessions = new HashMap<>();

    /** @param slots how many sessions this node keeps ({@code server.fetch_session_cache_slots}); 0 = none */
    public FetchSessions(int slots) {
        this(slots, System::nanoTime);
    }

    FetchSessions(int slots, LongSupplier nanoClock) {
        this.slots = slots;
        this.nanoClock = nanoClock;
    }

    /**
     * What one Fetch request reads and how its response is finished. {@link #request} lists every partition to read;
     * {@link #respond} turns the response read from it into the one the client gets (call it once, with the final
     * read of a long poll).
     */
    public sealed interface Context {
        FetchRequestData request();

        FetchResponseData respond(FetchResponseData read);
    }

    /** A full fetch outside any session. */
    record Sessionless(FetchRequestData request) implements Context {
        @Override
        public FetchResponseData respond(FetchResponseData read) {
            return read.setSessionId(FetchMetadata.INVALID_SESSION_ID);
        }
    }

    /** A full fetch that opened {@code session}, or an incremental fetch within it. */
    record InSession(FetchSession session, FetchRequestData request, boolean incremental) implements Context {
        @Override
        public FetchResponseData respond(FetchResponseData read) {
            return session.respond(read, incremental);
        }
    }

    /** A request naming a session that is gone, or out of step with it: nothing to read, the error to answer. */
    record SessionError(Errors error) implements Context {
        @Override
        public FetchRequestData request() {
            return new FetchRequestData();
        }

        @Override
        public FetchResponseData respond(FetchResponseData read) {
            return new FetchResponseData().setErrorCode(error.code()).setSessionId(FetchMetadata.INVALID_SESSION_ID);
        }
    }

    /** What {@code request}, of Fetch version {@code version}, reads and answers; see the class comment. */
    public Context open(FetchRequestData request, short version) {
        boolean topicIds = version >= TOPIC_IDS_VERSION;
        int sessionId = request.sessionId();
        int epoch = request.sessionEpoch();
        long now = nanoClock.getAsLong();
        boolean full = epoch == FetchMetadata.INITIAL_EPOCH || epoch == FetchMetadata.FINAL_EPOCH;
        if (full) {
            synchronized (this) {
                if (sessionId != FetchMetadata.INVALID_SESSION_ID) {
                    sessions.remove(sessionId);
                }
                if (epoch == FetchMetadata.INITIAL_EPOCH && makeRoom(now)) {
                    FetchSession session = new FetchSession(newSessionId(), topicIds, request, now);
                    sessions.put(session.id(), session);
                    return new InSession(session, request, false);
                }
            }
            return new Sessionless(request);
        }
        FetchSession session;
        synchronized (this) {
            session = sessions.get(sessionId);
        }
        if (session == null) {
            return new SessionError(Errors.FETCH_SESSION_ID_NOT_FOUND);
        }
        Errors accepted = session.accept(request, topicIds, now);
        if (accepted != Errors.NONE) {
            return new SessionError(accepted);
        }
        return new InSession(session, session.fullRequest(request), true);
    }

    /** Sessions held now. */
    synchronized int size() {
        return sessions.size();
    }

    /** Caller holds the monitor. True if a slot is free, after evicting the least recently used idle session. */
    private boolean makeRoom(long now) {
        if (sessions.size() < slots) {
            return true;
        }
        FetchSession oldest = null;
        for (FetchSession s : sessions.values()) {
            if (oldest == null || s.lastUsedNanos() < oldest.lastUsedNanos()) {
                oldest = s;
            }
        }
        if (oldest != null && now - oldest.lastUsedNanos() >= TimeUnit.SECONDS.toNanos(EVICTABLE_AFTER_SECONDS)) {
            sessions.remove(oldest.id());
            return true;
        }
        return false;
    }

    /** Caller holds the monitor. A positive id no live session has. */
    private int newSessionId() {
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        } while (sessions.containsKey(id));
        return id;
    }
}
