import React, { type ChangeEvent } from 'react';
import { InlineField, InlineSwitch, Input, SecretTextArea } from '@grafana/ui';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { type UsageOptions, type UsageSecureJsonData, DEFAULT_PROXY_TIMEOUT_S } from '../types';

type Props = DataSourcePluginOptionsEditorProps<UsageOptions, UsageSecureJsonData>;
type Secret = 'tlsCACert' | 'tlsClientCert' | 'tlsClientKey';

/**
 * Timeout and TLS as Grafana's own HTTP data sources name them: `jsonData.timeout`, `tlsAuth`,
 * `tlsAuthWithCACert`, `tlsSkipVerify`, `serverName`, and the PEM blocks in `secureJsonData`. Grafana's proxy
 * reads them when it connects to the daemon (pkg/services/datasources/service/datasource.go), so the plugin
 * only stores them.
 */
export function ConnectionSettings({ options, onOptionsChange }: Props) {
  const { jsonData } = options;
  const setJson = (patch: Partial<UsageOptions>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });
  const secret = (key: Secret, label: string, placeholder: string) => (
    <SecretField
      options={options}
      onOptionsChange={onOptionsChange}
      field={key}
      label={label}
      placeholder={placeholder}
    />
  );
  return (
    <>
      <TimeoutField value={jsonData.timeout} onChange={(timeout) => setJson({ timeout })} />
      <Switch
        id="config-editor-tls-ca"
        label="With CA certificate"
        tooltip="verify the daemon with this CA"
        value={jsonData.tlsAuthWithCACert}
        onChange={(tlsAuthWithCACert) => setJson({ tlsAuthWithCACert })}
      />
      {jsonData.tlsAuthWithCACert && secret('tlsCACert', 'CA certificate', '-----BEGIN CERTIFICATE-----')}
      <Switch
        id="config-editor-tls-client"
        label="TLS client auth"
        tooltip="Grafana presents a client certificate"
        value={jsonData.tlsAuth}
        onChange={(tlsAuth) => setJson({ tlsAuth })}
      />
      {jsonData.tlsAuth && <ClientAuthFields options={options} onOptionsChange={onOptionsChange} />}
      <Switch
        id="config-editor-tls-skip"
        label="Skip TLS verify"
        tooltip="accept any certificate (not for production)"
        value={jsonData.tlsSkipVerify}
        onChange={(tlsSkipVerify) => setJson({ tlsSkipVerify })}
      />
    </>
  );
}

/** The proxy's timeout for this data source, in whole seconds (empty: Grafana's default). */
function TimeoutField(props: { value: number | undefined; onChange: (seconds: number | undefined) => void }) {
  return (
    <InlineField
      label="Timeout"
      labelWidth={18}
      tooltip={`seconds Grafana's proxy waits for the daemon before answering 504 (empty: ${DEFAULT_PROXY_TIMEOUT_S})`}
    >
      <Input
        id="config-editor-timeout"
        type="number"
        min={1}
        value={props.value ?? ''}
        placeholder={String(DEFAULT_PROXY_TIMEOUT_S)}
        width={12}
        onChange={(e: ChangeEvent<HTMLInputElement>) => {
          const seconds = Number(e.target.value);
          props.onChange(e.target.value === '' || !(seconds > 0) ? undefined : Math.round(seconds));
        }}
      />
    </InlineField>
  );
}

/** Client certificate, its key and the server name the daemon's certificate must carry. */
function ClientAuthFields({ options, onOptionsChange }: Props) {
  const { jsonData } = options;
  const setJson = (patch: Partial<UsageOptions>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });
  return (
    <>
      <InlineField label="Server name" labelWidth={18} tooltip="the name the daemon's certificate must carry">
        <Input
          id="config-editor-server-name"
          value={jsonData.serverName ?? ''}
          placeholder="core4-usage.example.org"
          width={40}
          onChange={(e: ChangeEvent<HTMLInputElement>) => setJson({ serverName: e.target.value })}
        />
      </InlineField>
      <SecretField
        options={options}
        onOptionsChange={onOptionsChange}
        field="tlsClientCert"
        label="Client certificate"
        placeholder="-----BEGIN CERTIFICATE-----"
      />
      <SecretField
        options={options}
        onOptionsChange={onOptionsChange}
        field="tlsClientKey"
        label="Client key"
        placeholder="-----BEGIN PRIVATE KEY-----"
      />
    </>
  );
}

function Switch(props: {
  id: string;
  label: string;
  tooltip: string;
  value: boolean | undefined;
  onChange: (value: boolean) => void;
}) {
  return (
    <InlineField label={props.label} labelWidth={18} tooltip={props.tooltip}>
      <InlineSwitch
        id={props.id}
        value={Boolean(props.value)}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
    </InlineField>
  );
}

/** A PEM block: write-only, stored encrypted by Grafana, shown as "configured" once saved. */
function SecretField({
  options,
  onOptionsChange,
  field,
  label,
  placeholder,
}: Props & { field: Secret; label: string; placeholder: string }) {
  const { secureJsonFields, secureJsonData } = options;
  return (
    <InlineField label={label} labelWidth={18} tooltip="PEM; stored encrypted, used by Grafana's proxy">
      <SecretTextArea
        id={`config-editor-${field}`}
        isConfigured={Boolean(secureJsonFields?.[field])}
        value={secureJsonData?.[field] ?? ''}
        placeholder={placeholder}
        cols={60}
        rows={5}
        onReset={() =>
          onOptionsChange({
            ...options,
            secureJsonFields: { ...secureJsonFields, [field]: false },
            secureJsonData: { ...secureJsonData, [field]: '' },
          })
        }
        onChange={(e: ChangeEvent<HTMLTextAreaElement>) =>
          onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, [field]: e.target.value } })
        }
      />
    </InlineField>
  );
}
