package io.chronik.server.cluster;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Bounded waiting for a cluster to reach a state (an election, a catch-up), so tests wait for a condition and never
 * for a fixed time. A probe that throws counts as "not yet" (a node may be mid-election); the last failure or value
 * is put in the timeout message. Stateless.
 */
final class Await {

    private Await() {
    }

    /** Polls {@code probe} until {@code done} accepts its value; returns that value or fails after {@code timeout}. */
    static <T> T until(String what, Duration timeout, Callable<T> probe, Predicate<? super T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object last = null;
        while (true) {
            try {
                T value = probe.call();
                if (done.test(value)) {
                    return value;
                }
                last = value;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last seen: "
                        + last);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }

    static void until(String what, Duration timeout, Supplier<Boolean> condition) {
        until(what, timeout, condition::get, Boolean::booleanValue);
    }
}
