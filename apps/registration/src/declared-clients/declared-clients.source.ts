import { readClientsFile, type ClientsFile, type ClientsFileOptions } from './clients-file.js';

/** The configured clients file (CLIENTS_FILE): where it is, how its secrets resolve, and what it held at start. */
export class DeclaredClientsSource {
  private constructor(
    readonly path: string,
    private readonly options: ClientsFileOptions,
    readonly initial: ClientsFile,
  ) {}

  /**
   * Reads the file once at start, so a bad file stops the service before it
   * listens (ClientsFileError, a ConfigurationError).
   */
  static open(path: string, options: ClientsFileOptions): DeclaredClientsSource {
    return new DeclaredClientsSource(path, options, readClientsFile(path, options));
  }

  /** Reads the file again (a reload). @throws ClientsFileError */
  read(): ClientsFile {
    return readClientsFile(this.path, this.options);
  }
}
