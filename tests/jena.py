"""Apache Jena from Debian's libapache-jena-java, as a second, independent SPARQL engine and
strict RDF parser. Debian ships the jars without the command scripts, and its build needs a
workaround: the Xerces message bundles inside jena-core.jar must also be on the class path
under xerces/ (without them every Jena tool fails at start)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

JAVA_DIR = Path("/usr/share/java")
JENA_JARS = (
    "jena-arq jena-base jena-core jena-iri jena-cmds jena-shacl jena-shex jena-rdfconnection jena-tdb jena-tdb2 "
    "jena-dboe-base jena-dboe-index jena-dboe-storage jena-dboe-trans-data jena-dboe-transaction commons-cli "
    "commons-codec commons-compress commons-csv commons-io commons-lang3 dexx.collection gson guava httpclient "
    "httpcore jackson-core jackson-databind jakarta.json-api jsonld-java protobuf slf4j-api slf4j-nop thrift "
    "titanium-json-ld"
).split()
REQUIRED = os.environ.get("KG_REQUIRE_JENA") == "1"
MISSING_MESSAGE = "Apache Jena is not installed (apt-get install libapache-jena-java)"


def available() -> bool:
    return (JAVA_DIR / "jena-arq.jar").exists() and shutil.which("java") is not None


class Jena:
    def __init__(self, work_dir: Path):
        resources = work_dir / "jena-resources"
        with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
            prefix = "org/apache/jena/ext/xerces/"
            for name in jar.namelist():
                if name.startswith(prefix) and name.endswith(".properties"):
                    target = resources / "xerces" / name[len(prefix) :]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(jar.read(name))
        jars = [str(JAVA_DIR / f"{jar}.jar") for jar in JENA_JARS if (JAVA_DIR / f"{jar}.jar").exists()]
        self.classpath = os.pathsep.join([str(resources), *jars])

    def run(self, main_class: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["java", "-cp", self.classpath, main_class, *args], capture_output=True, text=True, timeout=300
        )

    def select(self, data: Path, queries: list[Path], out_dir: Path) -> dict[str, dict]:
        """Each query's results (SPARQL JSON, as `arq --results=JSON` gives them) by the query
        file's stem. One JVM reads the data once and runs them all (JenaSelect.java, beside this
        file): a JVM and a parse per query took a few seconds each."""
        out_dir.mkdir(parents=True, exist_ok=True)
        result = self.run(str(Path(__file__).with_name("JenaSelect.java")), str(data), str(out_dir), *map(str, queries))
        if result.returncode != 0:
            raise RuntimeError(f"Jena failed: {result.stderr}")
        return {query.stem: json.loads((out_dir / f"{query.name}.json").read_text(encoding="utf-8")) for query in queries}

    def validate(self, data: Path) -> subprocess.CompletedProcess[str]:
        return self.run("riotcmd.riot", "--validate", "--strict", str(data))
