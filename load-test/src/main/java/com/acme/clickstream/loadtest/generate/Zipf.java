package com.acme.clickstream.loadtest.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Zipf-distributed ranks 0..n-1 (rank 0 most frequent) by inverse CDF over precomputed weights. */
final class Zipf {
    private final double[] cdf;

    Zipf(int n, double exponent) {
        cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1.0 / Math.pow(i + 1, exponent);
            cdf[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
    }

    int sample(SplittableRandom rnd) {
        int i = Arrays.binarySearch(cdf, rnd.nextDouble());
        return Math.min(i < 0 ? -i - 1 : i, cdf.length - 1);
    }
}
