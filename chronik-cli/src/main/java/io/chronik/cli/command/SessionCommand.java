package io.chronik.cli.command;

import io.chronik.cli.CliSession;
import io.chronik.cli.output.Printer;
import io.chronik.protocol.admin.v1.AdminServiceGrpc;
import java.time.Duration;

/** A command that talks to the admin API of the session's node and prints what it answers. */
abstract class SessionCommand implements Runnable {

    protected final CliSession session;

    SessionCommand(CliSession session) {
        this.session = session;
    }

    protected AdminServiceGrpc.AdminServiceBlockingStub admin(Duration deadline) {
        return session.admin().within(deadline);
    }

    protected Printer printer() {
        return new Printer(session);
    }
}
