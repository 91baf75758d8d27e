import React from 'react';
import { render, screen } from '@testing-library/react';
import type { DataSource } from '../datasource';
import type { UsageQuery } from '../types';
import { RunsAnnotationEditor } from './RunsAnnotationEditor';

describe('RunsAnnotationEditor', () => {
  it('should make the annotation query the job-runs query and say what it draws', () => {
    const onChange = jest.fn();
    render(
      <RunsAnnotationEditor
        datasource={{} as DataSource}
        query={{ refId: 'Anno' } as UsageQuery}
        onChange={onChange}
        onRunQuery={jest.fn()}
      />
    );
    expect(onChange).toHaveBeenCalledWith({ refId: 'Anno', queryType: 'runs' });
    expect(screen.getByText('Job runs')).toBeInTheDocument();
    expect(screen.getByText(/One region per finished run/)).toBeInTheDocument();
  });

  it('should leave a runs query as it is', () => {
    const onChange = jest.fn();
    render(
      <RunsAnnotationEditor
        datasource={{} as DataSource}
        query={{ refId: 'Anno', queryType: 'runs' } as UsageQuery}
        onChange={onChange}
        onRunQuery={jest.fn()}
      />
    );
    expect(onChange).not.toHaveBeenCalled();
  });
});
