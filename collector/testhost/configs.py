"""Text of local configuration files and of the files that must never be collected.

Each function takes an ``Acc`` and registers the secrets it writes (passwords, URL and JDBC
credentials, AWS keys, PEM key lines), so ``Site.put`` can check and record them.
"""

from __future__ import annotations

from .blocks import Acc
from .fakes import Fakes


def confserv_cfg(acc: Acc, fakes: Fakes, app_name: str, log_all: str, windows: bool) -> str:
    pw = acc.s("password", fakes.password())
    return (f"[confserv]\nport = 2020\nmanagement-port = 2021\nserver = dbserver\nencryption = false\n"
            f"encoding = utf-8\ndbthreads = 4\n\n"
            f"[dbserver]\ndbengine = postgre\ndbserver = 192.0.2.40\ndbname = genesys_cfg\n"
            f"username = genesys_cfg\npassword = {pw}\nreconnect-timeout = 10\n\n"
            f"[log]\nverbose = all\nall = {log_all}\nsegment = 10000\nexpire = 10\n"
            f"keep-startup-file = true\ntime_format = locale\n\n"
            f"[hca]\nschema = none\n")


def silent_ini(acc: Acc, fakes: Fakes, install_path: str) -> str:
    pw = acc.s("password", fakes.password())
    return (f"[ConfigServer]\nHost=cfghost\nPort=2020\nUser=default\nPassword={pw}\n\n"
            f"[IPCommon]\nInstallPath={install_path}\nDataModel=64\n\n"
            f"[License]\nhost_name=lichost\nhost_port=7260\n")


def install_result_log(app_name: str, install_path: str) -> str:
    return (f"Installation of {app_name} started\nTarget directory: {install_path}\n"
            "Reading silent configuration file genesys_silent.ini\nConnecting to Configuration Server cfghost:2020\n"
            "Copying files... done\nInstallation result: SUCCESS\nExit code: 0\n")


def lca_cfg(log_all: str) -> str:
    return (f"[general]\nlca_port = 4999\nhangup_restart = true\n\n"
            f"[log]\nverbose = all\nall = {log_all}\nsegment = 2000\nexpire = 5\ntime_format = ISO8601\n")


def gws_application_yaml(acc: Acc, fakes: Fakes) -> str:
    cass_pw = acc.s("password", fakes.password())
    cs_pw = acc.s("password", fakes.password())
    jdbc_pw = acc.s("jdbc_credential", fakes.password())
    url_pw = acc.s("url_credential", fakes.password())
    aws_id = acc.s("aws_key", fakes.aws_access_key())
    aws_secret = acc.s("aws_key", fakes.aws_secret_key())
    key_lines = [acc.s("private_key", line) for line in fakes.pem_body_lines(3)]
    pem = "\n".join(f"      {line}" for line in key_lines)
    return (f"serverSettings:\n  externalApiUrlV2: https://gws.example.com/api/v2\n  internalApiUrlV2: http://localhost:8080/internal-api\n"
            f"  caCertificate: /opt/genesys/gws/config/ca.pem\n\n"
            f"cassandraCluster:\n  thrift_port: 9160\n  jmx_port: 7199\n  keyspace: sipfs\n"
            f"  nodes: 192.0.2.51,192.0.2.52\n  userName: gws_cassandra\n  password: {cass_pw}\n\n"
            f"onPremiseSettings:\n  cmeHost: cfghost\n  cmePort: 2020\n  cmeUserName: gws_user\n"
            f"  cmePassword: {cs_pw}\n  countryCode: US\n\n"
            f"jdbc:\n  url: jdbc:postgresql://gwsdb:{jdbc_pw}@192.0.2.60:5432/gws\n"
            f"elasticSearchSettings:\n  url: https://es_admin:{url_pw}@es.example.com:9200/\n"
            f"s3Export:\n  accessKeyId: {aws_id}\n  secretAccessKey: {aws_secret}\n"
            f"tls:\n  privateKey: |\n      -----BEGIN PRIVATE KEY-----\n{pem}\n      -----END PRIVATE KEY-----\n")


def logback_xml(acc: Acc, fakes: Fakes, log_dir: str) -> str:
    smtp_pw = acc.s("password", fakes.password())
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<configuration scan="true">\n'
            f'  <appender name="FILE" class="ch.qos.logback.core.rolling.RollingFileAppender">\n'
            f'    <file>{log_dir}/cloud.log</file>\n'
            f'    <rollingPolicy class="ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy">\n'
            f'      <fileNamePattern>{log_dir}/cloud.%d{{yyyy-MM-dd}}.%i.log</fileNamePattern>\n'
            f'      <maxFileSize>100MB</maxFileSize>\n    </rollingPolicy>\n'
            f'    <encoder><pattern>%d{{yyyy-MM-dd HH:mm:ss.SSS}} %-5level [%thread] %logger{{36}} - %msg%n</pattern></encoder>\n'
            f'  </appender>\n'
            f'  <appender name="MAIL" class="ch.qos.logback.classic.net.SMTPAppender">\n'
            f'    <smtpHost>smtp.example.com</smtpHost>\n    <username>alerts</username>\n'
            f'    <password>{smtp_pw}</password>\n  </appender>\n'
            f'  <root level="INFO"><appender-ref ref="FILE"/></root>\n</configuration>\n')


def java_properties(acc: Acc, fakes: Fakes, prefix: str) -> str:
    pw = acc.s("password", fakes.password())
    jdbc = acc.s("jdbc_credential", fakes.password())
    return (f"# {prefix} settings\n{prefix}.host=cfghost\n{prefix}.port=2020\n{prefix}.user=default\n"
            f"{prefix}.password={pw}\n"
            f"{prefix}.db.url=jdbc:sqlserver://192.0.2.61:1433;databaseName={prefix};user=sa;password={jdbc}\n"
            f"{prefix}.truststore=/opt/genesys/certs/truststore.jks\n{prefix}.truststore.password=changeit\n")


def json_settings(acc: Acc, fakes: Fakes, name: str) -> str:
    pw = acc.s("password", fakes.password())
    token = acc.s("jwt", fakes.jwt(f"svc-{name}"))
    return (f'{{\n  "service": "{name}",\n  "configServer": {{"host": "cfghost", "port": 2020, '
            f'"user": "svc_{name}", "password": "{pw}"}},\n  "apiToken": "{token}",\n  "retries": 3\n}}\n')


def wde_config(acc: Acc, fakes: Fakes) -> str:
    pw = acc.s("password", fakes.password())
    return ('<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n  <appSettings>\n'
            '    <add key="login.url" value="tcp://cfghost:2020/WDE_Demo" />\n'
            '    <add key="proxy.user" value="wdeproxy" />\n'
            f'    <add key="proxy.password" value="{pw}" />\n'
            '    <add key="log.level-default" value="Debug" />\n  </appSettings>\n</configuration>\n')


def pem_private_key(acc: Acc, fakes: Fakes) -> str:
    lines = [acc.s("private_key", line) for line in fakes.pem_body_lines(6)]
    return "-----BEGIN PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END PRIVATE KEY-----\n"


def jks_bytes(fakes: Fakes) -> bytes:
    return b"\xfe\xed\xfe\xed\x00\x00\x00\x02\x00\x00\x00\x01" + bytes(fakes.rng.getrandbits(8) for _ in range(900))


def core_bytes(fakes: Fakes) -> bytes:
    return b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00" + bytes(
        fakes.rng.getrandbits(8) for _ in range(4000)) + b"\x00" * 4096


def license_dat() -> str:
    return ("SERVER lichost 0050568a1b2c 7260\nVENDOR genesys.d\nUSE_SERVER\n"
            "FEATURE 3GP_SIP_Server genesys.d 8.5 31-dec-2030 100 SIGN=\"0A1B 2C3D 4E5F 6071\"\n"
            "FEATURE DTSR_SIPS_ACD genesys.d 8.5 31-dec-2030 500 SIGN=\"1234 ABCD 5678 EF90\"\n")


def os_release() -> str:
    return ('NAME="Red Hat Enterprise Linux"\nVERSION="8.9 (Ootpa)"\nID="rhel"\nID_LIKE="fedora"\n'
            'VERSION_ID="8.9"\nPRETTY_NAME="Red Hat Enterprise Linux 8.9 (Ootpa)"\n')
