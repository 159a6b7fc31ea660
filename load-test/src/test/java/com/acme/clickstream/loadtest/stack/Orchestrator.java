package com.acme.clickstream.loadtest.stack;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Stands in for the run command in a separate JVM: starts one supervised child, prints its pid, waits to be killed. */
public final class Orchestrator {
    public static void main(String[] args) throws InterruptedException {
        Path dir = Path.of(args[0]);
        String marker = "-Dclickstream.stack.dir=" + dir;
        ChildProcess child = new ChildProcess("sleeper", ChildProcessIT.sleeperCommand(marker), Map.of(),
                dir.resolve("logs/sleeper.log"), dir.resolve("pids/sleeper.pid"), marker);
        child.start();
        System.out.println("CHILD " + child.pid().orElseThrow());
        System.out.flush();
        Thread.sleep(600_000);
    }

    static List<String> command(Path dir) {
        return List.of(ChildProcessIT.java(), "-cp", System.getProperty("java.class.path"),
                Orchestrator.class.getName(), dir.toString());
    }
}
