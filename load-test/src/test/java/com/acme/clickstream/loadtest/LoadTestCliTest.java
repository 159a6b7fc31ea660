package com.acme.clickstream.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LoadTestCliTest {

    @Test
    void everySubcommandIsRegisteredWithHelp() {
        CommandLine cli = LoadTestCli.commandLine();
        assertThat(cli.getSubcommands().keySet()).containsExactlyInAnyOrder("generate", "replay", "verify", "stack", "bench");
        for (String sub : cli.getSubcommands().keySet()) {
            StringWriter out = new StringWriter();
            CommandLine c = LoadTestCli.commandLine();
            c.setOut(new PrintWriter(out));
            assertThat(c.execute(sub, "--help")).as(sub).isZero();
            assertThat(out.toString()).as(sub).contains("Usage:");
        }
    }

    @Test
    void generateAndVerifyShareTheContractDefaults() {
        StringWriter out = new StringWriter();
        CommandLine c = LoadTestCli.commandLine();
        c.setOut(new PrintWriter(out));
        c.execute("generate", "--help");
        assertThat(out.toString()).contains("--dup-ratio", "--ooo-ratio", "--late-ratio", "--bad-ratio", "--miskeyed-ratio",
                "--null-ratio", "--time-scale", "--start", "--seed", "--bootstrap-servers", "--inactivity-gap");
    }

    @Test
    void unknownOptionIsAUsageError() {
        CommandLine c = LoadTestCli.commandLine();
        c.setErr(new PrintWriter(new StringWriter()));
        assertThat(c.execute("verify", "--no-such-option")).isEqualTo(2);
    }
}
