package ckpt;

import java.io.File;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * Starts a one-DataNode MiniDFSCluster bound to 127.0.0.1 with WebHDFS enabled, prints
 * "READY <namenode-http-port> <namenode-rpc-port>" on stdout and runs until stdin closes
 * (so it dies with the test process that started it).
 */
public final class HdfsLauncher {
  public static void main(String[] args) throws Exception {
    File base = Files.createTempDirectory("ckpt-hdfs").toFile();
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.getAbsolutePath());
    conf.setBoolean("dfs.webhdfs.enabled", true);
    conf.setBoolean("dfs.permissions.enabled", false);
    conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
    conf.set("dfs.namenode.http-bind-host", "127.0.0.1");
    conf.set("dfs.namenode.servicerpc-bind-host", "127.0.0.1");
    conf.set("dfs.datanode.address", "127.0.0.1:0");
    conf.set("dfs.datanode.http.address", "127.0.0.1:0");
    conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
    conf.set("dfs.datanode.hostname", "127.0.0.1");
    conf.setBoolean("dfs.datanode.use.datanode.hostname", true);
    conf.setBoolean("dfs.client.use.datanode.hostname", true);
    conf.setInt("dfs.replication", 1);
    conf.setLong("dfs.blocksize", 1024 * 1024);
    conf.set("hadoop.http.staticuser.user", "ckpt");
    int httpPort = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf)
        .numDataNodes(1)
        .nameNodeHttpPort(httpPort)
        .format(true)
        .build();
    cluster.waitActive();
    int http = cluster.getNameNode().getHttpAddress().getPort();
    int rpc = cluster.getNameNodePort();
    System.out.println("READY " + http + " " + rpc);
    System.out.flush();
    try {
      while (System.in.read() >= 0) { /* wait for EOF */ }
    } finally {
      cluster.shutdown(true);
      org.apache.hadoop.fs.FileUtil.fullyDelete(base);
    }
    System.exit(0);
  }
}
