import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryExecutionFactory;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.rdf.model.Model;
import org.apache.jena.riot.RDFDataMgr;

/** Runs SELECT queries on one data file in one JVM: java -cp JENA JenaSelect.java DATA OUT_DIR QUERY... ;
 *  each result goes to OUT_DIR/QUERY_FILE_NAME.json, as arq --results=JSON writes it. */
public class JenaSelect {
    public static void main(String[] args) throws Exception {
        Model model = RDFDataMgr.loadModel(args[0]);
        Path out = Path.of(args[1]);
        for (int i = 2; i < args.length; i++) {
            Path file = Path.of(args[i]);
            Query query = QueryFactory.read(file.toString());
            try (QueryExecution execution = QueryExecutionFactory.create(query, model);
                 OutputStream stream = Files.newOutputStream(out.resolve(file.getFileName() + ".json"))) {
                ResultSetFormatter.outputAsJSON(stream, execution.execSelect());
            }
        }
    }
}
