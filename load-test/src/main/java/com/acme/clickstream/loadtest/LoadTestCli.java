package com.acme.clickstream.loadtest;

import com.acme.clickstream.loadtest.bench.BenchCommand;
import com.acme.clickstream.loadtest.generate.GenerateCommand;
import com.acme.clickstream.loadtest.replay.ReplayCommand;
import com.acme.clickstream.loadtest.stack.StackCommand;
import com.acme.clickstream.loadtest.verify.VerifyCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The load-test tool: {@code LoadTestCli <generate|replay|verify|stack|bench> --help} (run command in load-test/README.md). */
@Command(name = "load-test", mixinStandardHelpOptions = true,
        description = "Generates, replays and verifies clickstream for the pipeline (see load-test/README.md).",
        subcommands = {GenerateCommand.class, ReplayCommand.class, VerifyCommand.class, StackCommand.class,
                BenchCommand.class})
public final class LoadTestCli implements Runnable {

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
        return new CommandLine(new LoadTestCli());
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
