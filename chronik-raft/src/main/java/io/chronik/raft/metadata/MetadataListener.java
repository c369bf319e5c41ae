package io.chronik.raft.metadata;

/**
 * Told about every successfully applied metadata command, in log order, on the store's applier thread.
 * Implementations must be quick and must not block on the store (for example by waiting on another
 * {@link MetadataStore#submit}); commands rejected by apply are not reported.
 */
@FunctionalInterface
public interface MetadataListener {

    /**
     * @param command the applied command
     * @param result  what apply returned (a {@link TopicImage}, a {@code Long} producer id, or null for Void)
     * @param after   the image right after this command
     */
    void onApplied(MetadataCommand<?> command, Object result, MetadataImage after);

    /**
     * The state was replaced wholesale (a replicated store loaded a snapshot at start or installed one from its
     * leader); commands after it arrive through {@link #onApplied}. Implementations reconcile with {@code image}.
     */
    default void onLoaded(MetadataImage image) {
    }
}
