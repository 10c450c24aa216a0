// Loopback runs DynamoDB Local listening on 127.0.0.1 only. DynamoDB Local (1.25.x) has no
// option or system property for its address: it builds a Jetty server on a port, which listens on
// every interface. This launcher builds the server as DynamoDBLocal.jar's own main does, sets
// its connectors' host to the loopback address, and only then starts it.
//
// Usage (Java's source-file mode; no compiled class is kept):
//
//	java -Djava.library.path=DynamoDBLocal_lib loopback.java DynamoDBLocal.jar [DynamoDB Local options]

import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

public class Loopback {
	public static void main(String[] args) throws Exception {
		URL jar = Path.of(args[0]).toUri().toURL();
		ClassLoader loader = new URLClassLoader(new URL[] {jar}, Loopback.class.getClassLoader());
		Thread.currentThread().setContextClassLoader(loader);
		Class<?> runner;
		try {
			runner = loader.loadClass("com.amazonaws.services.dynamodbv2.local.main.ServerRunner");
		} catch (ClassNotFoundException e) {
			throw new IllegalStateException(args[0] + " holds no DynamoDB Local: " + e, e);
		}
		Object proxy = runner.getMethod("createServerFromCommandLineArgs", String[].class)
			.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
		Field field = proxy.getClass().getDeclaredField("server");
		field.setAccessible(true);
		Object server = field.get(proxy);
		Object[] connectors = (Object[]) server.getClass().getMethod("getConnectors").invoke(server);
		if (connectors.length == 0) {
			throw new IllegalStateException("DynamoDB Local's server has no connector to bind to 127.0.0.1");
		}
		for (Object c : connectors) {
			c.getClass().getMethod("setHost", String.class).invoke(c, "127.0.0.1");
		}
		proxy.getClass().getMethod("start").invoke(proxy);
	}
}
