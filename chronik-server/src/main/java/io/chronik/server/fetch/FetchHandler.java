package io.chronik.server.fetch;

import io.chronik.server.handler.RequestContext;
import io.chronik.server.handler.RequestHandler;
import io.chronik.server.partition.Partition;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.requests.FetchRequest;

/**
 * Fetch with long-poll: answers at once when at least min_bytes are readable (or max_wait is 0, or a partition
 * has an error); otherwise parks the request until one of its partitions' high watermark advances far enough or
 * max_wait expires. Waking is driven by the logs' high-watermark listeners — there is no polling loop. Fetch sessions
 * ({@link FetchSessions}) decide which partitions are read and which of them the response carries.
 */
public final class FetchHandler implements RequestHandler<FetchRequest> {

    private final FetchReader reader;
    private final ScheduledExecutorService timer;
    private final Executor handlerPool;
    private final FetchSessions sessions;

    public FetchHandler(FetchReader reader, FetchSessions sessions, ScheduledExecutorService timer,
                        Executor handlerPool) {
        this.reader = reader;
        this.sessions = sessions;
        this.timer = timer;
        this.handlerPool = handlerPool;
    }

    @Override
    public CompletionStage<FetchResponseData> handle(RequestContext context, FetchRequest request) {
        short version = context.apiVersion();
        FetchSessions.Context session = sessions.open(request.data(), version);
        FetchRequestData data = session.request();
        FetchReader.Result first = reader.read(data, version);
        if (first.recordBytes() >= data.minBytes() || data.maxWaitMs() <= 0 || first.hasErrors()
                || first.partitions().isEmpty()) {
            return CompletableFuture.completedFuture(session.respond(first.response()));
        }
        return new DelayedFetch(session, version, first.partitions()).start();
    }

    /**
     * One parked Fetch. Completed exactly once, by whichever comes first: enough bytes after an append, or the
     * timeout. Appends only schedule a re-read on the handler pool (coalesced), never read on the appender's thread.
     */
    private final class DelayedFetch {
        private final FetchSessions.Context session;
        private final FetchRequestData data;
        private final short version;
        private final List<Partition> watched;
        private final CompletableFuture<FetchResponseData> result = new CompletableFuture<>();
        private final AtomicBoolean recheckScheduled = new AtomicBoolean();
        private final AtomicBoolean finished = new AtomicBoolean();
        private final LongConsumer onAdvance = hw -> scheduleRecheck();
        private ScheduledFuture<?> timeout;

        DelayedFetch(FetchSessions.Context session, short version, List<Partition> watched) {
            this.session = session;
            this.data = session.request();
            this.version = version;
            this.watched = watched;
        }

        CompletableFuture<FetchResponseData> start() {
            watched.forEach(p -> p.log().addHighWatermarkListener(onAdvance));
            timeout = timer.schedule(() -> handlerPool.execute(this::expire), data.maxWaitMs(), TimeUnit.MILLISECONDS);
            // An append may have landed between the first read and registering the listeners.
            scheduleRecheck();
            return result;
        }

        private void scheduleRecheck() {
            if (!result.isDone() && recheckScheduled.compareAndSet(false, true)) {
                handlerPool.execute(this::recheck);
            }
        }

        private void recheck() {
            recheckScheduled.set(false);
            if (result.isDone()) {
                return;
            }
            FetchReader.Result again = reader.read(data, version);
            if (again.recordBytes() >= data.minBytes() || again.hasErrors()) {
                finish(again.response());
            }
        }

        private void expire() {
            if (!result.isDone()) {
                finish(reader.read(data, version).response());
            }
        }

        private void finish(FetchResponseData response) {
            // Only the response that is sent may update the session: a recheck and the timeout can race here.
            if (finished.compareAndSet(false, true)) {
                result.complete(session.respond(response));
                watched.forEach(p -> p.log().removeHighWatermarkListener(onAdvance));
                if (timeout != null) {
                    timeout.cancel(false);
                }
            }
        }
    }
}
