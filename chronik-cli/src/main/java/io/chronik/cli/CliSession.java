package io.chronik.cli;

import java.io.PrintWriter;

/**
 * The state one CLI run shares between its commands: which node to talk to, how to print, and the open connection.
 * A one-shot run has one command; a shell session many, which reuse the connection. Owned by the thread that runs
 * commands (the shell runs one command at a time); not thread-safe.
 */
public final class CliSession implements AutoCloseable {

    private ServerAddress server;
    private OutputFormat output;
    private PrintWriter out;
    private PrintWriter err;
    private AdminClient client;

    public CliSession(ServerAddress server, OutputFormat output, PrintWriter out, PrintWriter err) {
        this.server = server;
        this.output = output;
        this.out = out;
        this.err = err;
    }

    public ServerAddress server() {
        return server;
    }

    /** Points later commands at another node; the old connection is closed. */
    public void server(ServerAddress address) {
        if (!address.equals(server)) {
            closeClient();
            server = address;
        }
    }

    public OutputFormat output() {
        return output;
    }

    public void output(OutputFormat format) {
        output = format;
    }

    public PrintWriter out() {
        return out;
    }

    public PrintWriter err() {
        return err;
    }

    /** Sends later output elsewhere (the shell writes through its terminal). */
    public void writers(PrintWriter newOut, PrintWriter newErr) {
        out = newOut;
        err = newErr;
    }

    /** The connection to {@link #server()}, opened on first use. */
    public AdminClient admin() {
        if (client == null) {
            client = new AdminClient(server);
        }
        return client;
    }

    private void closeClient() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    @Override
    public void close() {
        closeClient();
        out.flush();
        err.flush();
    }
}
