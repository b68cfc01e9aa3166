"""`verdict explain` over N shards with Spark's RDD.pipe, then `verdict explain-merge` on the driver.

    spark-submit configs/spark/explain_shards.py --verdict /opt/verdict/bin/verdict \\
        --model /shared/model --data /shared/input/records.csv --shards 200 \\
        --parts /shared/parts --out /shared/explain [-- --shap tree,baseline ...]

An RDD of the shard indices 0..N-1, one per partition, is piped through the command below
(PySpark's RDD.pipe: shlex.split(command), an empty environment, the partition's elements on stdin
one per line). Partition I therefore runs exactly

    /bin/sh -c 'read -r i && exec VERDICT explain --model MODEL --data DATA [FLAGS] --threads 1
                --shard "$i/N" --out "PARTS/part-$i"'

and, once every partition succeeded (checkCode=True fails the task, and Spark retries it), the
driver runs VERDICT explain-merge PARTS/part-0 ... PARTS/part-(N-1) --out OUT. Every executor and
the driver must see the same paths (a shared file system) and VERDICT must be an absolute path
(the piped command gets no PATH). Keep spark.speculation off (the default): two copies of one
shard would write the same folder. docs/batch-jobs.md has the shard contract.
"""
import argparse
import shlex
import subprocess
import sys


def shard_command(verdict, model, data, shards, parts, flags=()):
    """The command string given to RDD.pipe: one shard, its index read from stdin."""
    explain = [verdict, "explain", "--model", model, "--data", data, *flags, "--threads", "1"]
    script = ("read -r i && exec " + " ".join(shlex.quote(a) for a in explain) +
              f' --shard "$i/{int(shards)}" --out {shlex.quote(parts)}/part-"$i"')
    return "/bin/sh -c " + shlex.quote(script)


def merge_command(verdict, shards, parts, out):
    """The driver's merge of the N shard folders, as an argument list."""
    return [verdict, "explain-merge", *[f"{parts}/part-{i}" for i in range(int(shards))], "--out", out]


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--verdict", required=True, help="absolute path of the verdict binary on every node")
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--shards", type=int, required=True)
    p.add_argument("--parts", required=True, help="folder of the shard outputs part-0 ... part-(N-1)")
    p.add_argument("--out", required=True)
    args, flags = p.parse_known_args(argv)
    flags = [f for f in flags if f != "--"]
    if args.shards < 2:
        p.error("--shards must be at least 2")

    from pyspark.sql import SparkSession  # only here: the functions above need no Spark

    spark = SparkSession.builder.appName("verdict-explain").getOrCreate()
    command = shard_command(args.verdict, args.model, args.data, args.shards, args.parts, flags)
    indices = spark.sparkContext.parallelize(range(args.shards), args.shards)  # one index per partition
    for line in indices.pipe(command, checkCode=True).collect():  # verdict's summary of each shard
        print(line)
    subprocess.run(merge_command(args.verdict, args.shards, args.parts, args.out), check=True)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
