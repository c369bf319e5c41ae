/**
 * {@code chronik-cli}: the operator's command line for a Chronik cluster. {@link io.chronik.cli.ChronikCli} is the
 * entry point; one picocli command tree ({@code io.chronik.cli.command}) serves both one-shot use and the JLine
 * shell ({@code io.chronik.cli.shell}); results are printed as aligned tables or JSON ({@code io.chronik.cli.output}).
 * The CLI speaks only the admin gRPC API ({@code chronik.admin.v1}).
 */
package io.chronik.cli;
