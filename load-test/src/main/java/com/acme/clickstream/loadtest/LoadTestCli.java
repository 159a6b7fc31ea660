package com.acme.clickstream.loadtest;

import com.acme.clickstream.loadtest.generate.GenerateCommand;
import com.acme.clickstream.loadtest.replay.ReplayCommand;
import com.acme.clickstream.loadtest.verify.VerifyCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The load-test tool: {@code java -jar load-test.jar <generate|replay|verify|...> --help}. */
@Command(name = "load-test", mixinStandardHelpOptions = true,
        description = "Generates, replays and verifies clickstream for the pipeline (see load-test/README.md).",
        subcommands = {GenerateCommand.class, ReplayCommand.class, VerifyCommand.class})
public final class LoadTestCli implements Runnable {

    /**
     * Subcommands owned by other packages of this module, added when present on the classpath so the
     * tool builds on its own; the local-stack orchestrator lives in ...loadtest.stack.
     */
    private static final String[] OPTIONAL_SUBCOMMANDS = {
            "com.acme.clickstream.loadtest.stack.StackCommand",
            "com.acme.clickstream.loadtest.bench.BenchCommand"};

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // Kafka clients log every config at INFO; the tool's own output is its progress lines. -D... overrides.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new LoadTestCli());
        for (String name : OPTIONAL_SUBCOMMANDS) {
            try {
                cli.addSubcommand(Class.forName(name).getDeclaredConstructor().newInstance());
            } catch (ClassNotFoundException absent) {
                // not built into this jar
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create subcommand " + name, e);
            }
        }
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
